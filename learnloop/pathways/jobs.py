"""Periodic jobs (registered in apps.py): notice completed pathways, remind about due dates, renew
certifications. Each can run any number of times: notifications carry dedupe keys, and completion and
renewal are recorded once."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from learnloop.notifications.services import notify
from learnloop.pathways import selectors, services
from learnloop.pathways.models import Assignment, Certificate

BATCH = 500
DUE_SOON = dt.timedelta(days=7)
RENEWAL_NOTICE = dt.timedelta(days=30)


def _open_assignments(**filters: object) -> list[Assignment]:
    return list(
        Assignment.objects.filter(completed_at__isnull=True, **filters)
        .select_related("pathway", "person")
        .order_by("pk")
    )


def completions_record(*, now: dt.datetime | None = None) -> int:
    """Mark assignments whose derived progress reached 100% complete (issuing certificates). Returns how many."""
    now = now or timezone.now()
    done = 0
    open_ = _open_assignments()
    for start in range(0, len(open_), BATCH):
        for row in selectors.progress_for(open_[start : start + BATCH]):
            if row.progress.is_complete:
                services.assignment_complete(assignment=row.assignment, completed_at=row.progress.completed_at or now)
                done += 1
    return done


def due_reminders_send(*, now: dt.datetime | None = None) -> int:
    """ "Due soon" a week ahead and "overdue" after the date, for required pathways not yet done."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = _open_assignments(required=True, due_on__isnull=False, due_on__lte=today + DUE_SOON)
    sent = 0
    for row in selectors.progress_for(candidates):
        a = row.assignment
        if row.progress.is_complete or a.due_on is None:
            continue  # the completions job records it on its next turn
        url = reverse("pathways:detail", kwargs={"pathway_id": a.pathway_id})
        total = row.progress.stages_total
        left = f"{row.progress.stages_done} of {total} {ngettext('stage', 'stages', total)} done"
        if a.due_on < today:
            kind, title = "overdue", f"Overdue: {a.pathway.title}"
            body = f"“{a.pathway.title}” was due on {a.due_on:%d %B %Y}; {left}."
        else:
            kind, title = "due_soon", f"Due soon: {a.pathway.title}"
            body = f"“{a.pathway.title}” is due on {a.due_on:%d %B %Y}; {left}."
        if notify(
            recipient=a.person,
            kind=kind,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"pathway-{kind}-{a.pk}-{a.due_on}",
        ):
            sent += 1
    return sent


def recertification_send(*, now: dt.datetime | None = None) -> int:
    """30 days before a certificate expires: remind and assign the pathway again; on expiry: remind again.
    Only each person's latest certificate for a pathway counts (older ones were renewed)."""
    now = now or timezone.now()
    sent = 0
    certificates = list(
        selectors.expiring_certificates(now=now, within=RENEWAL_NOTICE).filter(person__is_active=True).order_by("pk")
    )
    latest: dict[tuple[int, int], dt.datetime] = {}
    for person_id, pathway_id, issued_at in Certificate.objects.filter(
        person_id__in={c.person_id for c in certificates}, pathway_id__in={c.pathway_id for c in certificates}
    ).values_list("person_id", "pathway_id", "issued_at"):
        key = (person_id, pathway_id)
        latest[key] = max(issued_at, latest.get(key, issued_at))
    for certificate in certificates:
        if latest[(certificate.person_id, certificate.pathway_id)] > certificate.issued_at:
            continue  # renewed since
        expired = certificate.expires_at <= now
        when = timezone.localtime(certificate.expires_at).strftime("%d %B %Y")
        title = f"{certificate.pathway.title} certification {'has expired' if expired else 'expires soon'}"
        body = (
            f"Your “{certificate.pathway.title}” certification {'expired' if expired else 'expires'} on {when}. "
            "The pathway is assigned to you again so you can renew it."
        )
        if notify(
            recipient=certificate.person,
            kind="recertification",
            title=title,
            body=body,
            url=reverse("pathways:detail", kwargs={"pathway_id": certificate.pathway_id}),
            dedupe_key=f"certificate-{certificate.pk}-{'expired' if expired else 'soon'}",
        ):
            sent += 1
        services.certificate_renewal_assign(certificate=certificate, now=now)
    return sent
