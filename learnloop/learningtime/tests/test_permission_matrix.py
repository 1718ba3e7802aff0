import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from learnloop.core.testing import Row, anyone, matrix_test, only_roles, own_or
from learnloop.people.models import Person

API = "/api/v1"
MANAGERS = ("manager", "skip_manager")
PEOPLE_ADMINS = ("people_admin", "org_admin")


def _block_of(person: Person) -> Any:
    from learnloop.learningtime.models import LearningBlock

    start = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    return LearningBlock.objects.create(
        person=person,
        title="Read",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        time_zone=person.time_zone,
    )


def _block_url(name: str) -> Any:
    return lambda block: reverse(name, kwargs={"block_id": block.pk})


def _block_form(_: Any) -> dict[str, str]:
    day = (timezone.now() + dt.timedelta(days=3)).date().isoformat()
    return {"title": "Read a chapter", "day": day, "starts_at": "09:00", "ends_at": "10:00"}


def _block_json(_: Any) -> dict[str, str]:
    start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    return {"title": "Read", "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat()}


def _feed_url(_: Any) -> str:
    from learnloop.learningtime.services import feed_rotate

    person = Person.objects.get(first_name="Alice")
    return reverse("learningtime:feed", kwargs={"secret": feed_rotate(actor=person)})


def _budget_setter(role: str, relation: str) -> bool:
    """A person's budget is set by their managers (direct or further up) and by people admins."""
    return relation == "report" or role in PEOPLE_ADMINS


own_only = own_or()

ROWS = [
    Row("learningtime:mine", "GET", lambda _: reverse("learningtime:mine"), anyone, per_object=False),
    Row("learningtime:block_new", "GET", lambda _: reverse("learningtime:block_new"), anyone, per_object=False),
    Row(
        "learningtime:block_new",
        "POST",
        lambda _: reverse("learningtime:block_new"),
        anyone,
        per_object=False,
        ok=302,
        data=_block_form,
    ),
    # Blocks are their person's alone: managers see totals on the team page, never the blocks.
    Row("learningtime:block_edit", "GET", _block_url("learningtime:block_edit"), own_only, subject=_block_of),
    Row(
        "learningtime:block_edit",
        "POST",
        _block_url("learningtime:block_edit"),
        own_only,
        ok=302,
        subject=_block_of,
        data=_block_form,
    ),
    Row(
        "learningtime:block_status",
        "POST",
        _block_url("learningtime:block_status"),
        own_only,
        ok=302,
        subject=_block_of,
        data={"status": "done"},
    ),
    Row(
        "learningtime:block_cancel",
        "POST",
        _block_url("learningtime:block_cancel"),
        own_only,
        ok=302,
        subject=_block_of,
    ),
    # Everyone may open the team page (empty without reports); only managers can save a team default.
    Row("learningtime:team", "GET", lambda _: reverse("learningtime:team"), anyone, per_object=False),
    Row(
        "learningtime:team",
        "POST",
        lambda _: reverse("learningtime:team"),
        only_roles(*MANAGERS),
        per_object=False,
        ok=302,
        denied=400,
        data={"weekly_minutes": "150"},
    ),
    Row(
        "learningtime:person_budget",
        "GET",
        lambda person: reverse("learningtime:person_budget", kwargs={"person_id": person.pk}),
        _budget_setter,
    ),
    Row(
        "learningtime:person_budget",
        "POST",
        lambda person: reverse("learningtime:person_budget", kwargs={"person_id": person.pk}),
        _budget_setter,
        ok=302,
        data={"weekly_minutes": "90"},
    ),
    Row("learningtime:feed_new", "POST", lambda _: reverse("learningtime:feed_new"), anyone, per_object=False),
    Row(
        "learningtime:feed_revoke",
        "POST",
        lambda _: reverse("learningtime:feed_revoke"),
        anyone,
        per_object=False,
        ok=302,
    ),
    # The feed needs no sign-in: the secret in its address is the key (a wrong one is tested to 404).
    Row("learningtime:feed", "GET", _feed_url, anyone, per_object=False, anonymous=200),
    Row(
        f"GET {API}/learning-time/budget",
        "GET",
        lambda _: f"{API}/learning-time/budget",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/learning-time/budget/{{person_id}}",
        "GET",
        lambda person: f"{API}/learning-time/budget/{person.pk}",
        own_or(*PEOPLE_ADMINS, reports=True),
        anonymous=401,
    ),
    Row(
        f"PUT {API}/learning-time/budget/{{person_id}}",
        "PUT",
        lambda person: f"{API}/learning-time/budget/{person.pk}",
        _budget_setter,
        anonymous=401,
        json=True,
        data={"weekly_minutes": 90},
    ),
    Row(
        f"PUT {API}/learning-time/team-budget",
        "PUT",
        lambda _: f"{API}/learning-time/team-budget",
        only_roles(*MANAGERS),
        per_object=False,
        denied=400,
        anonymous=401,
        json=True,
        data={"weekly_minutes": 150},
    ),
    Row(
        f"GET {API}/learning-time/blocks",
        "GET",
        lambda _: f"{API}/learning-time/blocks",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/learning-time/blocks",
        "POST",
        lambda _: f"{API}/learning-time/blocks",
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data=_block_json,
    ),
    Row(
        f"GET {API}/learning-time/blocks/{{block_id}}",
        "GET",
        lambda block: f"{API}/learning-time/blocks/{block.pk}",
        own_only,
        subject=_block_of,
        anonymous=401,
    ),
    Row(
        f"PATCH {API}/learning-time/blocks/{{block_id}}",
        "PATCH",
        lambda block: f"{API}/learning-time/blocks/{block.pk}",
        own_only,
        subject=_block_of,
        anonymous=401,
        json=True,
        data={"title": "Renamed"},
    ),
    Row(
        f"DELETE {API}/learning-time/blocks/{{block_id}}",
        "DELETE",
        lambda block: f"{API}/learning-time/blocks/{block.pk}",
        own_only,
        subject=_block_of,
        anonymous=401,
    ),
    Row(
        f"GET {API}/learning-time/summary",
        "GET",
        lambda _: f"{API}/learning-time/summary",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/learning-time/feed",
        "POST",
        lambda _: f"{API}/learning-time/feed",
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
    ),
    Row(
        f"DELETE {API}/learning-time/feed",
        "DELETE",
        lambda _: f"{API}/learning-time/feed",
        anyone,
        per_object=False,
        ok=204,
        anonymous=401,
    ),
]


test_permission_matrix = matrix_test(ROWS)
