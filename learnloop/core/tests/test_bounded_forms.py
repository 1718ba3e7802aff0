"""Forms and query strings of the web pages: a huge id, number or year is a field error (or a 400 / 404),
never a 500 from the database."""

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.contrib.auth.forms import UsernameField
from django.core.validators import MaxValueValidator
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.core.bounds import MAX_ID
from learnloop.core.forms import IdField, IdMultipleChoiceField, ids_from, validate_year
from learnloop.core.roles import Role
from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.learning.models import Session
from learnloop.notifications.models import Notification
from learnloop.pathways.tests import factories as pathway_factories
from learnloop.people.models import RoleGrant
from learnloop.plans.tests.helpers import item, plan_of
from learnloop.skills import services as skill_services

pytestmark = pytest.mark.django_db

HUGE = str(MAX_ID + 1)
THIRTY = "9" * 30


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    for grant in (Role.LD_ADMIN, Role.PEOPLE_ADMIN):
        RoleGrant.objects.create(person=personas.otto, role=grant)
    course = item()
    pathway = pathway_factories.pathway([("Start", [course], None)], title="Onboarding")
    stage = pathway.stages.get()
    role = JobRoleFactory.create(name="Engineer")
    skill = skill_services.skill_create(actor=None, name="Code review")
    session = Session.objects.create(
        item=course,
        starts_at=dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC),
        time_zone="UTC",
        capacity=5,
    )
    Notification.objects.create(recipient=personas.alice, kind="assignment", title="Hi")
    pathway_factories.enrol(personas.alice, course)
    return {
        "plan": plan_of(personas.alice),
        "item": course,
        "pathway": pathway,
        "stage": stage,
        "step": stage.steps.get(),
        "role": role,
        "skill": skill,
        "session": session,
    }


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _goal(items: list[str]) -> dict[str, Any]:
    return {"kind": "outcome", "outcome": "Run retrospectives", "measure": "3 by June", "items": items}


# (who, method, url, data, the statuses that are a correct answer)
CASES: list[tuple[str, str, str, Any, tuple[int, ...]]] = [
    ("alice", "post", "/plans/{plan}/goals/new/", _goal([HUGE]), (200, 400)),
    ("alice", "post", "/plans/{plan}/goals/new/", _goal([THIRTY, "1"]), (200, 400)),
    ("alice", "post", "/plans/{plan}/smart-check/", _goal([THIRTY]), (200, 400)),
    ("alice", "get", "/plans/{plan}/", {"advice": THIRTY}, (200,)),
    ("alice", "get", "/plans/{plan}/items/", {"q": "x", "items": THIRTY}, (200,)),
    ("alice", "post", "/notifications/read/", {"id": HUGE}, (400,)),
    ("alice", "post", "/notifications/read/", {"id": "abc"}, (400,)),
    ("otto", "get", "/skills/roles/{role}/", {"to": THIRTY}, (200,)),
    ("otto", "get", "/admin-area/audit/", {"actor": THIRTY}, (200, 400)),
    ("otto", "get", "/people/", {"org_unit": THIRTY, "manager": THIRTY}, (200, 400)),
    ("otto", "get", "/catalog/", {"skill": THIRTY}, (200, 400)),
    ("otto", "get", "/pathways/", {"job_role": THIRTY}, (200, 400)),
    ("otto", "get", "/skills/", {"category": THIRTY}, (200, 400)),
    ("otto", "post", "/catalog/sessions/{session}/attendance/", {"booking": THIRTY, "attended": "yes"}, (400, 404)),
    ("alice", "post", "/catalog/{item}/progress/", {"percent": THIRTY}, (200, 302, 400)),
    ("otto", "post", "/pathways/{pathway}/stages/new/", {"title": "S", "items": [THIRTY]}, (200, 400)),
    ("otto", "post", "/pathways/stages/{stage}/edit/", {"title": "S", "required_count": THIRTY}, (200, 400)),
    ("otto", "post", "/pathways/steps/{step}/edit/", {"prerequisites": [THIRTY]}, (200, 400)),
    ("otto", "post", "/pathways/assign/", {"pathway": THIRTY, "person": THIRTY, "required": "1"}, (200, 400)),
    # The role page's small forms redirect back with the error as a message.
    ("otto", "post", "/skills/roles/{role}/requirements/", {"skill": "{skill}", "level": THIRTY}, (302,)),
    ("otto", "post", "/skills/roles/{role}/paths/", {"to_role": THIRTY, "typical_months": THIRTY}, (302,)),
    ("bob", "post", "/skills/people/{alice}/rate/", {"skill": "{skill}", "level": THIRTY}, (200, 400)),
    (
        "alice",
        "post",
        "/learning-time/blocks/new/",
        {"title": "R", "day": "0001-01-01", "starts_at": "00:00", "ends_at": "01:00"},
        (200, 400),
    ),
    (
        "alice",
        "post",
        "/learning-time/blocks/new/",
        {"title": "R", "day": "9999-12-31", "starts_at": "22:00", "ends_at": "23:00"},
        (200, 400),
    ),
    ("bob", "post", "/learning-time/people/{alice}/budget/", {"weekly_minutes": THIRTY}, (200, 400)),
    ("alice", "post", "/accounts/tokens/", {"name": "t", "expires_at": "0001-01-01T00:00"}, (200, 400)),
    ("alice", "post", "/plans/new/", {"period": "x", "starts_on": "0001-01-01", "ends_on": "9999-12-31"}, (200, 400)),
    (
        "otto",
        "post",
        "/catalog/new/",
        {
            "kind": "book",
            "title": "T",
            "summary": "S",
            "skills-TOTAL_FORMS": "1",
            "skills-INITIAL_FORMS": "0",
            "skills-0-skill": "Code review",
            "skills-0-level": THIRTY,
        },
        (200, 400),
    ),
    ("otto", "post", "/catalog/new/", {"kind": "book", "title": "T", "skills-TOTAL_FORMS": THIRTY}, (200, 400)),
]


@pytest.mark.parametrize(
    ("who", "method", "url", "data", "expected"), CASES, ids=[f"{c[1]} {c[2]} {c[3]}" for c in CASES]
)
def test_huge_numbers_and_far_dates_in_pages_never_cause_a_server_error(
    personas: Personas, world: dict[str, Any], who: str, method: str, url: str, data: Any, expected: tuple[int, ...]
) -> None:
    names = {**{k: getattr(v, "pk", v) for k, v in world.items()}, "alice": personas.alice.pk}
    filled = {k: (v.format(**names) if isinstance(v, str) else v) for k, v in data.items()}
    answer = getattr(_client(getattr(personas, who)), method)(url.format(**names), filled)
    assert answer.status_code in expected, answer.content[:500]


def _form_classes() -> list[type[forms.BaseForm]]:
    import learnloop.config.urls  # noqa: F401  (every view module, and the forms they use, imported)

    found: list[type[forms.BaseForm]] = []
    pending: list[type[Any]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("learnloop.") and ".tests." not in sub.__module__:
                found.append(sub)
    return found


def _has_maximum(form: type[forms.BaseForm], name: str, field: forms.IntegerField) -> bool:
    if field.max_value is not None and field.max_value <= MAX_ID:
        return True
    # A model form also runs the model field's validators, which carry the database's integer range.
    model = getattr(getattr(form, "_meta", None), "model", None)
    names = {f.name for f in model._meta.get_fields()} if model else set()
    return name in names and any(
        isinstance(v, MaxValueValidator) and v.limit_value <= MAX_ID for v in model._meta.get_field(name).validators
    )


def _unbounded_text(field: forms.Field) -> bool:
    # Django's sign-in form bounds its user name when it is built, and a password is never stored as typed.
    exempt = isinstance(field, UsernameField) or isinstance(field.widget, forms.PasswordInput)
    return isinstance(field, forms.CharField) and field.max_length is None and not exempt


def test_every_form_field_bounds_its_numbers_ids_dates_and_text() -> None:
    """Catches the next form with an unbounded number, a plain multiple choice, an unbounded date or text
    without a maximum length (a 2,000,000-character reflection was stored and copied into a statement)."""
    unbounded: list[str] = []
    for form in _form_classes():
        for name, field in form.base_fields.items():  # type: ignore[attr-defined]
            label = f"{form.__name__}.{name}"
            if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, IdMultipleChoiceField):
                unbounded.append(f"{label}: use core.forms.IdMultipleChoiceField")
            elif isinstance(field, forms.IntegerField) and not _has_maximum(form, name, field):
                unbounded.append(f"{label}: give it a max_value (core.bounds)")
            elif isinstance(field, forms.DateField | forms.DateTimeField) and validate_year not in field.validators:
                unbounded.append(f"{label}: use core.forms.DateField / DateTimeField")
            elif _unbounded_text(field):
                unbounded.append(f"{label}: give it a max_length (core.bounds.MAX_TEXT_FIELD for long text)")
    assert unbounded == []
    assert len(_form_classes()) > 20  # the walk found the forms


def test_ids_in_a_form_are_checked_before_the_database() -> None:
    field = IdMultipleChoiceField(Notification.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean([THIRTY])
    with pytest.raises(forms.ValidationError):
        IdField().clean(HUGE)
    assert IdField().clean(str(MAX_ID)) == MAX_ID
    assert ids_from(["3", THIRTY, "x", "0", " 4 "]) == [3, 4]


# --- Text people could type, and text an attacker would -------------------------------------------

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\u00b2\u00b3",  # digits to str.isdigit(), not to int()
            "\u0661\u0662\u0663",  # Arabic-Indic digits
            "\u202egnp.exe",  # right-to-left override
            "Line one\r\nInjected: header",
            "tab\there",
            "nul\x00byte",
            "bell\x07",
            "x" * 300,
            "x" * 20_001,
            "y" * 100_001,
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "%00",
            "\U0001f600" * 50,
            " ",
            "",
        ]
    ),
)

# (who, url, a valid form) for the main forms that take text: each run puts nasty text in one field.
TEXT_FORMS: list[tuple[str, str, dict[str, str]]] = [
    ("alice", "/plans/new/", {"period": "2030", "starts_on": "2030-01-01", "ends_on": "2030-12-31"}),
    ("alice", "/plans/{plan}/goals/new/", {"kind": "outcome", "outcome": "Run retros", "measure": "3 retros"}),
    ("bob", "/plans/{plan}/comments/", {"body": "Good start"}),
    (
        "alice",
        "/learning-time/blocks/new/",
        {"title": "Reading", "day": "2030-01-07", "starts_at": "09:00", "ends_at": "10:00", "note": "Ch. 3"},
    ),
    ("alice", "/accounts/tokens/", {"name": "laptop"}),
    ("otto", "/catalog/new/", {"kind": "self_paced", "title": "Retros", "summary": "Run a retro", "language": "en"}),
    ("otto", "/skills/new/", {"name": "Facilitation", "description": "Runs meetings", "synonyms": "hosting"}),
    ("otto", "/skills/categories/", {"name": "Soft skills", "description": "People skills"}),
    ("otto", "/pathways/new/", {"title": "Onboarding", "description": "The first weeks"}),
    ("otto", "/plans/objectives/new/", {"title": "Ship safely", "period": "2030", "description": "Fewer incidents"}),
    ("bob", "/skills/people/{alice}/rate/", {"skill": "{skill}", "level": "3", "note": "Clear reviews"}),
]


@pytest.mark.parametrize(("who", "url", "valid"), TEXT_FORMS, ids=[f"{c[0]} {c[1]}" for c in TEXT_FORMS])
def test_nasty_text_in_any_form_field_is_never_a_server_error(
    personas: Personas, world: dict[str, Any], who: str, url: str, valid: dict[str, str]
) -> None:
    names = {**{k: getattr(v, "pk", v) for k, v in world.items()}, "alice": personas.alice.pk}
    client = _client(getattr(personas, who))
    target = url.format(**names)
    form = {k: v.format(**names) for k, v in valid.items()}

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(field=st.sampled_from(sorted(form)), text=NASTY_TEXT)
    def post(field: str, text: str) -> None:
        answer = client.post(target, {**form, field: text})
        assert answer.status_code < 500, (target, field, text[:80], answer.content[:300])

    post()
