import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from learnloop.accounts import services
from learnloop.accounts.models import ApiToken
from learnloop.core.models import AuditEvent
from learnloop.people.models import Person


class Command(BaseCommand):
    help = "Personal API tokens: `token create USERNAME [--json]`, `token list USERNAME`, `token revoke ID`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token and print it (it is shown only once)")
        create.add_argument("username")
        create.add_argument("--name", default="command line", help="What the token is for")
        create.add_argument("--json", action="store_true", help='Print {"token": ..., "id": ..., "username": ...}')
        listing = sub.add_parser("list", help="List a person's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"no token has id {options['token_id']}")
            services.token_revoke(actor=None, token=token, source=AuditEvent.Source.CLI)
            self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {token.person.username}")
            return
        person = Person.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"no user is called {options['username']!r}")
        if action == "list":
            for token in ApiToken.objects.filter(person=person):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}")
            return
        try:
            issued = services.token_create(
                actor=None, person=person, name=options["name"], source=AuditEvent.Source.CLI
            )
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps({"token": issued.secret, "id": issued.token.pk, "username": person.username}))
        else:
            self.stdout.write(issued.secret)
