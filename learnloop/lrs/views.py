"""A person's own learning record: the statements about them, readable, and an export of all of them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urlencode

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
from learnloop.core.forms import DateField, add_service_errors
from learnloop.core.http import AuthedRequest, absolute_url
from learnloop.core.models import AuditEvent
from learnloop.lrs import record
from learnloop.lrs.charts import activity_chart
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
RECORD_PAGE_SIZE = 50


def statements_about(person: Person) -> QuerySet[Statement]:
    """Statements whose actor is this person (matched by email or learnloop account when stored)."""
    return Statement.objects.filter(person=person, voided=False).order_by("-seq")


class RecordFilterForm(forms.Form):
    """The learning record's filters: kind and item from what the record holds, days in the reader's zone."""

    kind = forms.ChoiceField(required=False, label="Kind")
    item = forms.ChoiceField(required=False, label="Item")
    since = DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "Any kind"), *record.record_kinds(person=person)]
        cast(forms.ChoiceField, self.fields["item"]).choices = [("", "Any item"), *record.record_items(person=person)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "“To” is before “From”.")
        return data

    def query(self) -> str:
        """The filters as a query string, for the page links."""
        return urlencode({name: self.data[name] for name in self.fields if self.data.get(name)})


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@require_safe
def my_record(request: AuthedRequest) -> HttpResponse:
    """My learning record: a timeline by month, newest first, with filters and activity per month."""
    person = request.user
    form = RecordFilterForm(request.GET, person=person)
    total = statements_about(person).count()
    context: dict[str, Any] = {"form": form, "total": total}
    if form.is_valid():
        data = form.cleaned_data
        by_kind_and_item = record.record_statements(
            person=person, verb_id=data.get("kind") or "", object_ref=data.get("item") or ""
        )
        since, until = data.get("since"), data.get("until")
        statements = record.record_statements(
            person=person,
            verb_id=data.get("kind") or "",
            object_ref=data.get("item") or "",
            since=_day_start(since) if since else None,
            until=_day_start(until + dt.timedelta(days=1)) if until else None,
        )
        page = Paginator(statements.select_related("client"), RECORD_PAGE_SIZE).get_page(request.GET.get("page"))
        last_month = until or timezone.localdate()
        context |= {
            "page": page,
            "months": record.by_month(record.describe(s) for s in page),
            "matching": page.paginator.count,
            "filtered": any(data.get(name) for name in form.fields),
            "query": form.query(),
            "chart": activity_chart(record.record_months(by_kind_and_item, last_month=last_month)),
        }
    return render(request, "lrs/my_record.html", context, status=200 if form.is_valid() else 400)


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
