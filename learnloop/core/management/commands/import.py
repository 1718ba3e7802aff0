from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from learnloop.core.cli import ProgressLine
from learnloop.core.csv_import import ImportRejected
from learnloop.core.models import AuditEvent
from learnloop.people.models import Person


class Command(BaseCommand):
    help = (
        "Import data into learnloop: `learnloop import people FILE.csv` (an HR export) or "
        "`learnloop import skills FILE.csv` (a skills taxonomy, ESCO or learnloop's simple format). "
        "Every row is checked first; nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=["people", "skills"], help="What the file holds")
        parser.add_argument("file", type=Path, help="CSV file (UTF-8) with a header row")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="people: deactivate active people whose employee_id is not in the file",
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
        progress = ProgressLine(self.stderr)
        try:
            if options["kind"] == "people":
                from learnloop.people.importer import people_import

                result = people_import(
                    actor=actor,
                    text=text,
                    deactivate_missing=options["deactivate_missing"],
                    progress=progress,
                    source=AuditEvent.Source.CLI,
                )
                summary = (
                    f"Imported {result.rows} rows: {result.created} added, {result.updated} updated, "
                    f"{result.unchanged} unchanged, {result.deactivated} deactivated, "
                    f"{result.reactivated} reactivated."
                )
            else:
                from learnloop.skills.importer import skills_import

                skills = skills_import(actor=actor, text=text, progress=progress, source=AuditEvent.Source.CLI)
                summary = (
                    f"Imported {skills.rows} skills ({skills.format} format): {skills.created} added, "
                    f"{skills.updated} updated, {skills.unchanged} unchanged."
                )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(rejected.errors)} problem(s) found; nothing was imported") from None
        self.stdout.write(self.style.SUCCESS(summary))
