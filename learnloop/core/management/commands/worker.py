from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background tasks (reminders, emails, rollups) until stopped. Several workers may run at once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle")
        parser.add_argument("--queue-name", default="*", help="Queues to take tasks from (comma-separated, * for all)")
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development only)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--interval", str(options["interval"]), "--queue-name", options["queue_name"]]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay", "--no-reload"]
        else:
            worker_args += ["--reload" if options["reload"] else "--no-reload"]
        call_command("db_worker", *worker_args, verbosity=options["verbosity"])
