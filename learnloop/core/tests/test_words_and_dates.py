"""Words and dates across the app: one date convention from the reader's locale, and the wording fixes
a first-time user tripped over. Each test fails if the old wording comes back."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from learnloop.core.models import ImportJob
from learnloop.core.templatetags.dates import ago, day, moment, month
from learnloop.core.testing import Personas
from learnloop.notifications.services import notify
from learnloop.people.demo import STRUCTURE, extra_team_names
from learnloop.people.models import Person

UTC = dt.UTC
LEARNLOOP = Path(__file__).resolve().parents[2]


def signed_in(person: Person, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(person)
    return client


# --- Dates --------------------------------------------------------------------------------------


def test_days_and_moments_follow_the_readers_locale() -> None:
    moment_utc = dt.datetime(2026, 12, 8, 13, 5, 9, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):
        with translation.override("en-gb"):
            assert day(dt.date(2026, 11, 26)) == "26 Nov 2026"
            assert day(moment_utc, "weekday") == "Tue 8 Dec 2026"
            assert moment(moment_utc) == "8 Dec 2026, 2:05 p.m."  # 13:05 UTC is 14:05 in Berlin
            assert moment(moment_utc, "seconds") == "8 Dec 2026, 2:05:09 p.m."
            assert month(dt.date(2026, 11, 3)) == "November 2026"
        with translation.override("en"):
            assert day(dt.date(2026, 11, 26)) == "Nov. 26, 2026"
            assert moment(moment_utc) == "Dec. 8, 2026, 2:05 p.m."
    assert day(None) == "" and moment(None) == "" and month(None) == ""


def test_the_browsers_language_picks_the_convention(personas: Personas) -> None:
    Person.objects.filter(pk=personas.alice.pk).update(hire_date=dt.date(2021, 3, 4))
    for language, expected in (("en-GB,en;q=0.9", "4 Mar 2021"), ("en-US,en;q=0.9", "March 4, 2021")):
        page = signed_in(personas.pat, **{"Accept-Language": language}).get(f"/people/{personas.alice.pk}/")
        assert expected in page.content.decode() and "2021-03-04" not in page.content.decode()


def test_date_inputs_stay_iso_in_every_locale_so_the_browser_shows_its_own_format() -> None:
    class Form(forms.Form):
        due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    for language in ("en", "en-gb", "en-au", "en-ca", "en-ie"):
        with translation.override(language):
            assert 'value="2026-11-26"' in str(Form(initial={"due": dt.date(2026, 11, 26)})["due"])
            assert Form({"due": "2026-11-26"}).is_valid()


def test_no_template_formats_a_date_by_hand() -> None:
    """Every date a page shows goes through core/templatetags/dates.py; `|date:'c'` (machine-readable,
    for <time datetime>) and ISO values of date inputs are the only other uses."""
    offenders = []
    for template in LEARNLOOP.glob("*/templates/**/*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            for found in re.finditer(r"\|date:[\"']([^\"']*)[\"']|\|timesince", line):
                if found.group(0).startswith("|date") and found.group(1) == "c":
                    continue
                if found.group(0).startswith("|date") and found.group(1) == "Y-m-d" and 'type="date"' in line:
                    continue
                offenders.append(f"{template.relative_to(LEARNLOOP)}:{number}: {found.group(0)}")
    assert offenders == []


def test_ago_says_just_now_within_the_minute() -> None:
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert ago(now, now) == "just now"
    assert ago(now - dt.timedelta(seconds=59), now) == "just now"
    assert ago(now - dt.timedelta(minutes=1), now) == "1\xa0minute ago"
    assert ago(now - dt.timedelta(hours=5, minutes=3), now) == "5\xa0hours ago"
    assert ago(now + dt.timedelta(hours=2), now) == "in 2\xa0hours"
    assert ago(None) == ""


def test_a_new_notification_reads_just_now(personas: Personas) -> None:
    notify(recipient=personas.alice, kind="assignment", title="Read this", dedupe_key="t")
    page = signed_in(personas.alice).get("/notifications/").content.decode()
    assert "just now" in page and "0\xa0minutes" not in page and "0 minutes" not in page


def test_templates_render_with_the_shared_filters_without_loading_anything() -> None:
    rendered = Template("{{ when|day }} · {{ when|moment }}").render(
        Context({"when": dt.datetime(2026, 1, 2, 3, 4, tzinfo=UTC)})
    )
    assert "2026" in rendered and not re.search(r"\d{4}-\d{2}-\d{2}", rendered)


# --- Wording ------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_email_people_type(db: None) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'for="id_username">Email' in page and "Username" not in page
    refused = Client().post("/accounts/login/", {"username": "nobody@example.com", "password": "x"})
    assert "email and password" in refused.content.decode()


def test_the_edit_form_about_someone_else_does_not_say_your(personas: Personas) -> None:
    page = signed_in(personas.pat).get(f"/people/{personas.alice.pk}/edit/").content.decode()
    assert "Shown instead of the first name" in page and "your first name" not in page


def test_the_import_help_lists_each_column_once(personas: Personas) -> None:
    page = signed_in(personas.pat).get("/people/import/").content.decode()
    help_text = page.split("<h2>Columns</h2>")[1].split("</section>")[0]
    required, optional = help_text.split("Optional:")
    for column in ("employee_id", "email", "first_name", "last_name"):
        assert f"<code>{column}</code>" in required and f"<code>{column}</code>" not in optional
    assert "<code>manager_employee_id</code>" in optional


@pytest.mark.parametrize(("problems", "words"), [(1, "Fix it in the file"), (2, "Fix them in the file")])
def test_the_problem_list_speaks_of_one_problem_as_it(personas: Personas, problems: int, words: str) -> None:
    errors = [[n + 2, "name", "is required"] for n in range(problems)]
    job = ImportJob.objects.create(kind="skills", actor=personas.lena, status="rejected", errors=errors)
    page = signed_in(personas.lena).get(f"/imports/{job.pk}/").content.decode()
    assert words in page
    assert f"{problems} problem{'s' if problems > 1 else ''} found" in page


def test_a_finished_import_is_said_once(personas: Personas) -> None:
    job = ImportJob.objects.create(
        kind="skills",
        actor=personas.lena,
        status="imported",
        result={"format": "simple", "rows": 2, "created": 2, "updated": 0, "unchanged": 0},
    )
    client = signed_in(personas.lena)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert page.count("Import finished") == 1 and "Imported." not in page
    assert re.search(r'<p id="import-announce"[^>]*></p>', page)  # the live region is empty at load
    polled = client.get(f"/imports/{job.pk}/", {"seen": "running.writing"}, headers={"HX-Request": "true"})
    assert 'id="import-announce"' in polled.content.decode() and "Import finished." in polled.content.decode()


def test_extra_demo_teams_get_distinct_real_names() -> None:
    base = {name for spec in STRUCTURE.values() for names, _ in spec["departments"].values() for name in names}
    names = list(zip(range(1500), extra_team_names(), strict=False))
    chosen = [name for _, name in names]
    assert len(set(chosen)) == len(chosen) and not set(chosen) & base
    assert not [name for name in chosen if re.search(r"\d", name)]


def test_a_pathway_merely_enrolled_in_reads_not_started(personas: Personas) -> None:
    from learnloop.learning.models import Enrollment
    from learnloop.pathways import selectors, services
    from learnloop.pathways.tests.factories import enrol, item, pathway

    first = item("One-to-ones")
    built = pathway(
        [("Basics", [first], None), ("Practice", [item("Coaching")], None), ("Capstone", [item("Retro")], None)]
    )
    services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    enrolment = enrol(personas.alice, first)

    def state() -> str:
        (row,) = selectors.progress_for(list(built.assignments.all()))
        return row.state_label

    assert state() == "Not started"
    page = signed_in(personas.alice).get("/pathways/mine/").content.decode()
    assert "Not started" in page and "In progress" not in page
    Enrollment.objects.filter(pk=enrolment.pk).update(progress=20)
    assert state() == "In progress"


def test_counts_of_one_read_in_the_singular(personas: Personas) -> None:
    job = ImportJob.objects.create(
        kind="skills", actor=personas.lena, status="running", stage="checking", done=0, total=1
    )
    page = signed_in(personas.lena).get(f"/imports/{job.pk}/").content.decode()
    assert "0 of 1 row (" in page and "1 rows" not in page
    one_stage = Template("{% include 'pathways/_progress.html' %}").render(
        Context({"progress": type("P", (), {"stages_total": 1, "stages_done": 0, "percent": 0, "pathway": None})()})
    )
    assert "0 of 1 stage done" in one_stage
