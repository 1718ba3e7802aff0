"""The confirm step every destructive button goes through (core/confirm.py): a page without JavaScript, a
dialog for htmx, always posting to the action's own URL."""

import datetime as dt
import re
from html import unescape
from typing import Any

from django.test import Client
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.confirm import Confirmation, confirmation_sign
from learnloop.core.testing import Personas
from learnloop.learning.enrollment import enrollment_enrol
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.people.services import role_grant
from learnloop.plans.models import Goal, Plan

CONFIRM_LINK = re.compile(r'href="(/confirm/\?c=[^"]+)"[^>]*>([^<]+)')


def _signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _confirm_links(html: str) -> dict[str, str]:
    """The page's confirm links by their visible label."""
    return {label.strip(): unescape(url) for url, label in CONFIRM_LINK.findall(html)}


def _url(**changes: Any) -> str:
    fields = {
        "action": "/plans/goals/1/delete/",
        "title": "Remove this goal?",
        "consequence": "It goes.",
        "yes": "Remove it",
        "back": "/plans/1/",
        **changes,
    }
    return f"/confirm/?c={confirmation_sign(Confirmation(**fields))}"


def test_the_page_spells_out_the_consequence_and_focuses_cancel(personas: Personas) -> None:
    html = _signed_in(personas.alice).get(_url(fields=(("next", "/pathways/assign/"),))).content.decode()
    assert '<h1 id="confirm-title">Remove this goal?</h1>' in html and "It goes." in html
    assert 'action="/plans/goals/1/delete/"' in html and 'name="next" value="/pathways/assign/"' in html
    assert re.search(r'<a class="button button-quiet" href="/plans/1/" autofocus>Cancel</a>', html)
    # Cancel comes first, so it is also first in the tab order.
    assert html.index(">Cancel<") < html.index(">Remove it<")


def test_htmx_gets_a_dialog_whose_cancel_closes_it(personas: Personas) -> None:
    html = _signed_in(personas.alice).get(_url(), headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith("<dialog") and "<html" not in html
    assert 'aria-describedby="confirm-consequence"' in html
    assert re.search(r'<button type="button" class="button-quiet" data-confirm-cancel autofocus>Cancel</button>', html)


def test_a_tampered_or_outside_link_is_not_found(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    good = _url()
    assert client.get(good[:-3] + "abc").status_code == 404
    assert client.get("/confirm/?c=").status_code == 404
    assert client.get(_url(action="https://evil.example/x")).status_code == 404
    assert client.get(_url(action="//evil.example/x")).status_code == 404
    # A "Cancel" that would leave the site goes home instead.
    assert 'href="/" autofocus' in client.get(_url(back="https://evil.example/")).content.decode()
    assert Client().get(good).status_code == 302  # signed-in people only


def _goal(person: Any) -> Goal:
    plan = Plan.objects.create(
        person=person, period="2999", starts_on=dt.date(2999, 1, 1), ends_on=dt.date(2999, 12, 31)
    )
    return Goal.objects.create(plan=plan, kind=Goal.Kind.OUTCOME, outcome="Run our retrospectives", measure="3 by June")


def test_remove_goal_and_close_plan_ask_first_and_post_to_the_same_endpoints(personas: Personas) -> None:
    goal = _goal(personas.alice)
    client = _signed_in(personas.alice)
    page = client.get(f"/plans/{goal.plan_id}/").content.decode()
    assert (
        f'action="/plans/goals/{goal.pk}/delete/"' not in page and f'action="/plans/{goal.plan_id}/close/"' not in page
    )
    links = _confirm_links(page)
    remove = client.get(links["Remove"]).content.decode()
    assert "Remove this goal?" in remove and "“Run our retrospectives” leaves your plan" in remove
    assert f'action="/plans/goals/{goal.pk}/delete/"' in remove and f'href="/plans/{goal.plan_id}/" autofocus' in remove
    close = client.get(links["Close plan"]).content.decode()
    assert "Close this plan?" in close and "cannot be reopened" in close
    # Confirming is the very POST the button used to send.
    client.post(f"/plans/goals/{goal.pk}/delete/")
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_drop_and_cancel_booking_ask_first(personas: Personas) -> None:
    item = item_create(actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title="Negotiation lab", summary="Practise.")
    enrollment_enrol(actor=personas.alice, person=personas.alice, item=item)
    start = timezone.now() + dt.timedelta(days=7)
    session = Session.objects.create(
        item=item, starts_at=start, ends_at=start + dt.timedelta(hours=1), time_zone="UTC", capacity=1
    )
    booking = Booking.objects.create(session=session, person=personas.alice, status="booked", queued_at=timezone.now())
    client = _signed_in(personas.alice)
    page = client.get(f"/catalog/{item.pk}/").content.decode()
    assert f"/bookings/{booking.pk}/cancel/" not in page and f"/catalog/{item.pk}/drop/" not in page
    links = _confirm_links(page)
    cancel = client.get(links["Cancel booking"]).content.decode()
    assert "Cancel your booking?" in cancel and "Your seat in Negotiation lab on" in cancel
    assert "the session is full: you may not get a seat back" in cancel and ">Keep my seat</a>" in cancel
    drop = client.get(links["Drop"]).content.decode()
    assert "Drop this item?" in drop and f'action="/catalog/{item.pk}/drop/"' in drop


def test_revoke_buttons_ask_first(personas: Personas) -> None:
    token_create(actor=personas.alice, person=personas.alice, name="Reporting script")
    client = _signed_in(personas.alice)
    tokens = client.get("/accounts/tokens/").content.decode()
    assert "/revoke/" not in tokens.replace("/confirm/", "")
    revoke = client.get(_confirm_links(tokens)["Revoke"]).content.decode()
    assert "Scripts that use the token “Reporting script”" in revoke
    role_grant(actor=None, person=personas.bob, role="ld_admin")
    admin = _signed_in(personas.otto)
    profile = admin.get(f"/people/{personas.bob.pk}/").content.decode()
    take_away = admin.get(_confirm_links(profile)["Take away"]).content.decode()
    assert "Take this role away?" in take_away and 'name="role" value="ld_admin"' in take_away
