"""A person's own learning record: the statements about them, readable, and an export of all of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.forms import add_service_errors
from learnloop.core.http import AuthedRequest, absolute_url
from learnloop.core.models import AuditEvent
from learnloop.lrs.models import INTERNAL_CLIENT_KEY, Client, Statement
from learnloop.lrs.services import (
    MAX_PREFIX_LENGTH,
    MAX_TRUSTED_PREFIXES,
    client_create,
    client_revoke,
    client_trust,
)
from learnloop.people.models import Person

EXPORT_CHUNK = 500


def statements_about(person: Person) -> QuerySet[Statement]:
    """Statements whose actor is this person (matched by email or learnloop account when stored)."""
    return Statement.objects.filter(person=person, voided=False).order_by("-seq")


def _text(language_map: Any) -> str:
    if not isinstance(language_map, dict) or not language_map:
        return ""
    for tag in ("en", "en-US", "en-GB"):
        if tag in language_map:
            return str(language_map[tag])
    return str(next(iter(language_map.values())))


def describe(statement: Statement) -> dict[str, Any]:
    """A statement as a person reads it: verb, object, result, when."""
    data = statement.data
    verb = _text(data["verb"].get("display")) or data["verb"]["id"].rsplit("/", 1)[-1]
    obj = data["object"]
    name = _text((obj.get("definition") or {}).get("name")) or obj.get("name") or obj.get("id", "")
    result = data.get("result") or {}
    score = (result.get("score") or {}).get("scaled")
    return {
        "verb": verb,
        "object": name,
        "object_id": obj.get("id", ""),
        "success": result.get("success"),
        "completion": result.get("completion"),
        "score": round(score * 100) if isinstance(score, int | float) else None,
        "when": statement.timestamp,
        "source": statement.client.name if statement.client else "",
    }


@login_required
@require_safe
def my_record(request: AuthedRequest) -> HttpResponse:
    statements = statements_about(request.user).select_related("client")
    page = Paginator(statements, 50).get_page(request.GET.get("page"))
    rows = [describe(s) for s in page]
    return render(request, "lrs/my_record.html", {"page": page, "rows": rows, "total": page.paginator.count})


def _export(statements: QuerySet[Statement]) -> Iterator[bytes]:
    yield b"["
    first = True
    last_seq = None
    while True:
        batch = statements if last_seq is None else statements.filter(seq__lt=last_seq)
        chunk = list(batch.values_list("seq", "data")[:EXPORT_CHUNK])
        for seq, data in chunk:
            yield (b"" if first else b",\n") + json.dumps(data).encode()
            first = False
            last_seq = seq
        if len(chunk) < EXPORT_CHUNK:
            break
    yield b"]\n"


@login_required
@require_safe
def my_record_export(request: AuthedRequest) -> StreamingHttpResponse:
    """All my statements as one JSON array, streamed in chunks so a long history never fills memory."""
    response = StreamingHttpResponse(_export(statements_about(request.user)), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="learning-record-{request.user.pk}-{stamp}.json"'
    return response


TRUST_HELP = (
    "One activity IRI prefix a line, such as https://academy.example/courses/. Its statements about these "
    "activities complete catalog items and add skill evidence; all its other statements are only stored."
)


class TrustedPrefixesField(forms.CharField):
    """Activity IRI prefixes, one a line (the service checks each)."""

    def __init__(self) -> None:
        super().__init__(
            required=False,
            max_length=MAX_TRUSTED_PREFIXES * (MAX_PREFIX_LENGTH + 2),
            widget=forms.Textarea(attrs={"rows": 3}),
            label="Trusted for activities starting with",
            help_text=TRUST_HELP,
        )

    def clean(self, value: Any) -> list[str]:
        return str(super().clean(value)).splitlines()


class ClientForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="The course, tool or system that will use it")
    can_read = forms.BooleanField(required=False, initial=True, label="May read statements and documents")
    can_write = forms.BooleanField(required=False, initial=True, label="May write statements and documents")
    own_statements_only = forms.BooleanField(
        required=False, label="Keeps to its own statements, attachments and documents (a vendor's package)"
    )
    xapi_version = forms.TypedChoiceField(
        choices=[("2.0.0", "2.0.0"), ("1.0.3", "1.0.3")],
        label="xAPI version of its content",
        initial="2.0.0",
        required=False,
        empty_value="2.0.0",
    )
    trusted_activity_prefixes = TrustedPrefixesField()


class ClientTrustForm(forms.Form):
    trusted_activity_prefixes = TrustedPrefixesField()


@login_required
def clients(request: AuthedRequest) -> HttpResponse:
    """Org admins connect content and tools to the LRS: one client per system, revocable."""
    if not policy.can(request.user, "view", Client):
        raise Http404
    form = ClientForm(request.POST or None)
    issued = None
    if request.method == "POST":
        policy.require(request.user, "create", Client)
        if form.is_valid():
            try:
                issued = client_create(actor=request.user, source=AuditEvent.Source.WEB, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                form = ClientForm()
    status = 400 if request.method == "POST" and form.errors else 200
    context = {
        "form": form,
        "issued": issued,
        "clients": Client.objects.exclude(key=INTERNAL_CLIENT_KEY).annotate(statement_count=Count("statements")),
        "endpoint": absolute_url("/xapi/", request),
    }
    return render(request, "lrs/clients.html", context, status=status)


@login_required
def client_trust_view(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Which activities a client's statements may move learning for (trusted IRI prefixes)."""
    client = policy.get_or_404(request.user, "trust", Client.objects.exclude(key=INTERNAL_CLIENT_KEY), pk=client_id)
    initial = {"trusted_activity_prefixes": "\n".join(client.trusted_activity_prefixes)}
    form = ClientTrustForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client_trust(
                actor=request.user,
                client=client,
                prefixes=form.cleaned_data["trusted_activity_prefixes"],
                source=AuditEvent.Source.WEB,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved what {client.name} is trusted for.")
            return redirect("learning_record:clients")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "lrs/client_trust.html", {"client": client, "form": form}, status=status)


@login_required
@require_POST
def client_revoke_view(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = policy.get_or_404(request.user, "revoke", Client.objects.exclude(key=INTERNAL_CLIENT_KEY), pk=client_id)
    client_revoke(actor=request.user, client=client, source=AuditEvent.Source.WEB)
    messages.success(request, f"{client.name} can no longer reach the LRS.")
    return redirect("learning_record:clients")
