"""One confirm step for every destructive action (remove a goal, close a plan, drop, un-assign, revoke,
cancel a booking).

The button that used to post at once becomes a link to `/confirm/?c=<signed>`. Without JavaScript it
opens a small page; with htmx the same answer arrives as a `<dialog>` over the page. Either way it spells
out the consequence, focuses "Cancel", and posts to the action's own URL, so the POST endpoints (and the
API) stay exactly as they were. What the page says and where it posts is signed by the page that offered
the button, so the link cannot be made to say or post something else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from learnloop.core.htmx import render_page_or_partial

SALT = "learnloop.confirm"


@dataclass(frozen=True)
class Confirmation:
    """What the confirm step shows and where its button posts."""

    action: str  # the URL the destructive form posts to
    title: str  # the question: "Remove this goal?"
    consequence: str  # what happens, in a sentence or two
    yes: str  # the destructive button: "Remove the goal"
    back: str  # where "Cancel" goes on the page version
    no: str = "Cancel"
    fields: tuple[tuple[str, str], ...] = ()  # hidden inputs the original form carried (next=...)


def confirmation_sign(confirmation: Confirmation) -> str:
    payload = [
        confirmation.action,
        confirmation.title,
        confirmation.consequence,
        confirmation.yes,
        confirmation.back,
        confirmation.no,
        [list(pair) for pair in confirmation.fields],
    ]
    return signing.dumps(payload, salt=SALT, compress=True)


def _local(url: str, request: HttpRequest) -> bool:
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


def confirmation_load(token: str, request: HttpRequest) -> Confirmation:
    """The confirmation a page signed; a 404 for a tampered or broken link, or one that leaves the site."""
    try:
        action, title, consequence, yes, back, no, fields = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    if not _local(action, request):
        raise Http404
    return Confirmation(
        action=action,
        title=title,
        consequence=consequence,
        yes=yes,
        back=back if _local(back, request) else "/",
        no=no,
        fields=tuple((str(name), str(value)) for name, value in fields),
    )


# The view lives here rather than in core/views.py: it is the confirm step's only page, and both belong
# together.
@login_required
@require_safe
def confirm_view(request: HttpRequest) -> HttpResponse:
    """The confirm step: a page without JavaScript, a `<dialog>` fragment for htmx."""
    confirmation = confirmation_load(request.GET.get("c", ""), request)
    return render_page_or_partial(
        request,
        page="core/confirm.html",
        partial="core/htmx/confirm_dialog.html",
        context={"confirmation": confirmation},
    )
