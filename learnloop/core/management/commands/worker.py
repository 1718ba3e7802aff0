import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from learnloop.core import schedule


def _schedule_loop(every: float, stop: threading.Event) -> None:
    """Start periodic jobs (reminders, sweeps) when they are due, beside the task worker."""
    while not stop.wait(every):
        close_old_connections()
        try:
            schedule.run_due()
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = (
        "Run background tasks (reminders, emails, rollups) and periodic jobs until stopped. "
        "Several workers may run at once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run due periodic jobs and queued tasks, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle")
        parser.add_argument("--queue-name", default="*", help="Queues to take tasks from (comma-separated, * for all)")
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development only)")
        parser.add_argument(
            "--schedule-every", type=float, default=30.0, help="Seconds between checks for due periodic jobs"
        )
        parser.add_argument("--no-schedule", action="store_true", help="Leave periodic jobs to other workers")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--interval", str(options["interval"]), "--queue-name", options["queue_name"]]
        if options["batch"]:
            if not options["no_schedule"]:
                for name in schedule.run_due():
                    self.stdout.write(f"Ran periodic job {name}")
            worker_args += ["--batch", "--no-startup-delay", "--no-reload"]
            call_command("db_worker", *worker_args, verbosity=options["verbosity"])
            return
        worker_args += ["--reload" if options["reload"] else "--no-reload"]
        stop = threading.Event()
        if not options["no_schedule"]:
            threading.Thread(
                target=_schedule_loop, args=(options["schedule_every"], stop), daemon=True, name="schedule"
            ).start()
        try:
            call_command("db_worker", *worker_args, verbosity=options["verbosity"])
        finally:
            stop.set()
