import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from learnloop.core.models import AuditEvent
from learnloop.lrs.models import Client
from learnloop.lrs.services import client_create, client_revoke, client_trust

SCOPES = {"read", "write"}


class Command(BaseCommand):
    help = (
        "The learning record store: `lrs client create NAME [--scope read,write] [--own-only] [--trust PREFIX] "
        "[--json]`, `lrs client trust NAME PREFIX... | --none`, `lrs client revoke NAME`, `lrs client list`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        resources = parser.add_subparsers(dest="resource", required=True)
        client = resources.add_parser("client", help="HTTP Basic credentials for xAPI content and tools")
        actions = client.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a client and print its key and secret (shown once)")
        create.add_argument("name")
        create.add_argument("--scope", default="read,write", help="read, write, or read,write (default)")
        create.add_argument("--own-only", action="store_true", help="Read only the statements this client wrote")
        create.add_argument(
            "--xapi-version",
            choices=["1.0.3", "2.0.0"],
            default="2.0.0",
            help="The version its content speaks (answers requests that name none)",
        )
        create.add_argument(
            "--trust",
            action="append",
            default=[],
            metavar="PREFIX",
            help="An activity IRI prefix its statements may move learning for (repeat for more; default none)",
        )
        create.add_argument("--json", action="store_true", help='Print {"key": ..., "secret": ..., "endpoint": ...}')
        trust = actions.add_parser(
            "trust",
            help="Set the activity IRI prefixes a client's statements may move learning for (replaces the list)",
        )
        trust.add_argument("name")
        trust.add_argument("prefixes", nargs="*", metavar="PREFIX")
        trust.add_argument("--none", action="store_true", help="Trust it for nothing")
        revoke = actions.add_parser("revoke", help="Revoke a client; its credentials stop working at once")
        revoke.add_argument("name")
        actions.add_parser("list", help="List clients")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for client in Client.objects.all():
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                own = " own-statements-only" if client.own_statements_only else ""
                trusted = " ".join(client.trusted_activity_prefixes) or "-"
                self.stdout.write(
                    f"{client.name}\t{client.key}\t{','.join(client.scopes)}{own}\t{state}\ttrusted: {trusted}"
                )
            return
        if action == "trust":
            self._trust(options)
            return
        if action == "revoke":
            found = Client.objects.filter(name=options["name"]).first()
            if found is None:
                raise CommandError(f"no LRS client is called {options['name']!r}")
            client_revoke(actor=None, client=found, source=AuditEvent.Source.CLI)
            self.stdout.write(f"Revoked {found.name}")
            return
        scopes = {s.strip() for s in options["scope"].split(",") if s.strip()}
        if not scopes or scopes - SCOPES:
            raise CommandError(f"--scope takes read, write or read,write, not {options['scope']!r}")
        try:
            issued = client_create(
                actor=None,
                name=options["name"],
                can_read="read" in scopes,
                can_write="write" in scopes,
                own_statements_only=options["own_only"],
                xapi_version=options["xapi_version"],
                trusted_activity_prefixes=options["trust"],
                source=AuditEvent.Source.CLI,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        from learnloop.core.http import absolute_url

        endpoint = absolute_url("/xapi/")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "key": issued.client.key,
                        "secret": issued.secret,
                        "endpoint": endpoint,
                        "scopes": issued.client.scopes,
                        "trusted_activity_prefixes": issued.client.trusted_activity_prefixes,
                    }
                )
            )
        else:
            self.stdout.write(f"endpoint: {endpoint}\nkey:      {issued.client.key}\nsecret:   {issued.secret}")

    def _trust(self, options: dict[str, Any]) -> None:
        prefixes: list[str] = options["prefixes"]
        if bool(prefixes) == bool(options["none"]):
            raise CommandError("name the trusted activity IRI prefixes, or --none to trust the client for nothing")
        found = Client.objects.filter(name=options["name"]).first()
        if found is None:
            raise CommandError(f"no LRS client is called {options['name']!r}")
        try:
            client = client_trust(actor=None, client=found, prefixes=prefixes, source=AuditEvent.Source.CLI)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        trusted = ", ".join(client.trusted_activity_prefixes) or "nothing"
        self.stdout.write(f"{client.name} is trusted for: {trusted}")
