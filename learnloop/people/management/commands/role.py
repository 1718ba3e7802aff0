from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from learnloop.core.models import AuditEvent
from learnloop.core.roles import GRANTABLE_ROLES
from learnloop.people.models import Person, RoleGrant
from learnloop.people.services import role_grant, role_revoke


class Command(BaseCommand):
    help = "Administrative roles: `role grant USERNAME ROLE`, `role revoke USERNAME ROLE`, `role list`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("grant", "revoke"):
            command = sub.add_parser(name, help=f"{name.title()} a role")
            command.add_argument("username")
            command.add_argument("role", choices=[str(r) for r in GRANTABLE_ROLES])
        sub.add_parser("list", help="Everyone holding an administrative role")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for grant in RoleGrant.objects.select_related("person").order_by("role", "person__username"):
                self.stdout.write(f"{grant.role}\t{grant.person.username}")
            return
        person = Person.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"no user is called {options['username']!r}")
        try:
            if options["action"] == "grant":
                role_grant(actor=None, person=person, role=options["role"], source=AuditEvent.Source.CLI)
            else:
                role_revoke(actor=None, person=person, role=options["role"], source=AuditEvent.Source.CLI)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{person.username}: {options['action']} {options['role']} done")
