from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from learnloop.core import response_cache
from learnloop.core.cli import ProgressLine
from learnloop.core.seeding import DEMO_PASSWORD, DEMO_SEED, DemoContext, demo_modules


class Command(BaseCommand):
    help = "Seed the demo organization (reproducible; running it again updates rather than duplicates)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--people", type=int, default=340, help="How many people (at least 60)")
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Random seed; the same seed gives the same data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people = max(60, options["people"])
        ctx = DemoContext(
            people=people,
            seed=options["seed"],
            progress=ProgressLine(self.stderr),
            log=lambda text: self.stdout.write(text),
        )
        from learnloop.notifications.services import emails_held

        with response_cache.tracking_paused(), emails_held():
            for label, module in demo_modules():
                self.stdout.write(f"Seeding {label} ...")
                module.seed(ctx)
        # Demo steps write in bulk, which no tracked model sees: retire every cached answer.
        response_cache.version_bump(response_cache.EVERYTHING)
        self.stdout.write(self.style.SUCCESS("\nThe demo organization is ready. Sign in as:"))
        width = max(len(role) for role in ctx.logins) if ctx.logins else 0
        for role, username in ctx.logins.items():
            self.stdout.write(f"  {role.ljust(width)}  {username}")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
