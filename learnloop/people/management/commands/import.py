from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from learnloop.core.cli import ProgressLine
from learnloop.core.models import AuditEvent
from learnloop.people.importer import ImportRejected, people_import
from learnloop.people.models import Person


class Command(BaseCommand):
    help = "Import data into learnloop. `learnloop import people FILE.csv` loads people from an HR export."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=["people"], help="What the file holds")
        parser.add_argument("file", type=Path, help="CSV file (UTF-8) with a header row")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate active people whose employee_id is not in the file",
        )
        parser.add_argument(
            "--as", dest="acting_as", default="", help="User name recorded as the actor in the audit log"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text; save it as 'CSV UTF-8'") from None
        actor = None
        if options["acting_as"]:
            actor = Person.objects.filter(username=options["acting_as"]).first()
            if actor is None:
                raise CommandError(f"--as {options['acting_as']!r}: no such user")
        try:
            result = people_import(
                actor=actor,
                text=text,
                deactivate_missing=options["deactivate_missing"],
                progress=ProgressLine(self.stderr),
                source=AuditEvent.Source.CLI,
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(rejected.errors)} problem(s) found; nothing was imported") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows: {result.created} added, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.deactivated} deactivated, {result.reactivated} reactivated."
            )
        )
