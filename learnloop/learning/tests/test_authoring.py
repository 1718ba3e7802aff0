"""The catalog item form: each format's own fields, skills as rows, languages from a list, every problem at once."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas
from learnloop.learning import services
from learnloop.learning.languages import language_code
from learnloop.learning.models import CatalogItem
from learnloop.learning.tests.test_catalog import skill_rows
from learnloop.skills.services import skill_create, skill_update

Kind = CatalogItem.Kind


def _lena(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.lena)
    return client


def _groups_shown(page: str) -> list[str]:
    """The legends of the format groups the page shows (not hidden)."""
    import re

    return re.findall(r'<fieldset class="format-group" data-formats="[^"]*">\s*<legend>([^<]+)</legend>', page)


def test_the_form_shows_only_the_chosen_formats_fields(personas: Personas) -> None:
    client = _lena(personas)
    assert _groups_shown(client.get("/catalog/new/").content.decode()) == []
    assert _groups_shown(client.get("/catalog/new/", {"kind": "book"}).content.decode()) == ["The book"]
    assert _groups_shown(client.get("/catalog/new/", {"kind": "stretch"}).content.decode()) == ["The assignment"]
    assert _groups_shown(client.get("/catalog/new/", {"kind": "self_paced"}).content.decode()) == ["Content"]
    assert _groups_shown(client.get("/catalog/new/", {"kind": "mentoring"}).content.decode()) == []
    item = services.item_create(actor=None, kind=Kind.BOOK, title="A book", summary="x", author="Someone")
    assert _groups_shown(client.get(f"/catalog/{item.pk}/edit/").content.decode()) == ["The book"]


def test_without_javascript_the_format_can_be_shown_before_saving(personas: Personas) -> None:
    client = _lena(personas)
    page = client.post(
        "/catalog/new/", {"kind": "book", "title": "Kept", "show_format": "1", **skill_rows(("Kept skill", ""))}
    )
    html = page.content.decode()
    assert page.status_code == 200 and _groups_shown(html) == ["The book"]
    assert 'value="Kept"' in html and 'value="Kept skill"' in html and "to fix" not in html
    assert not CatalogItem.objects.exists()


def test_other_formats_fields_are_neither_validated_nor_kept(personas: Personas) -> None:
    sponsor = personas.mona
    response = _lena(personas).post(
        "/catalog/new/",
        {
            "kind": "self_paced",
            "title": "Course",
            "summary": "Learn.",
            "language": "en",
            "delivery": "none",
            "isbn": "x" * 40,  # too long for a book, but this is no book
            "author": "Nobody",
            "sponsor": sponsor.pk,
            "scope": "Not a stretch",
        },
    )
    assert response.status_code == 302
    item = CatalogItem.objects.get(title="Course")
    assert (item.isbn, item.author, item.sponsor_id, item.scope) == ("", "", None, "")


def test_changing_the_format_empties_the_old_formats_fields(personas: Personas) -> None:
    item = services.item_create(
        actor=None, kind=Kind.BOOK, title="Book", summary="x", author="A. Author", isbn="978-0-00-000000-0"
    )
    response = _lena(personas).post(
        f"/catalog/{item.pk}/edit/",
        {"kind": "mentoring", "title": "Book", "summary": "x", "language": "en", "author": "A. Author"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.author, item.isbn) == ("mentoring", "", "")


def test_every_problem_is_reported_at_once_each_on_its_field_or_row(personas: Personas) -> None:
    skill_create(actor=None, name="Coaching")
    response = _lena(personas).post(
        "/catalog/new/",
        {
            "kind": "book",
            "title": "",
            "summary": "x",
            "language": "xx",
            "duration_minutes": "0",
            **skill_rows(("Coaching", 3), ("Unknown", 2), ("coaching", 4), ("", 2), ("Coaching", "")),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    for expected in (
        "Title: This field is required.",
        "A book needs its author.",
        "Give a duration from one minute to a year.",
        "Language: Select a valid choice.",
        "Row 2: no skill is called “Unknown”",
        "Row 3: Coaching is already in row 1.",
        "Row 4: choose the skill this level is for.",
        "Row 5: Coaching is already in row 1.",
        "Row 5: choose the level it brings people to.",
    ):
        assert expected in html, expected
    assert "9 things to fix" in html
    assert not CatalogItem.objects.exists()


def test_skills_and_levels_are_picked_as_rows_and_saved(personas: Personas) -> None:
    coaching, sql = skill_create(actor=None, name="Coaching"), skill_create(actor=None, name="SQL")
    client = _lena(personas)
    response = client.post(
        "/catalog/new/",
        {
            "kind": "mentoring",
            "title": "Mentoring",
            "summary": "x",
            "language": "de",
            **skill_rows(("coaching", 2), ("", ""), ("SQL", 5)),
        },
    )
    assert response.status_code == 302
    item = CatalogItem.objects.get(title="Mentoring")
    assert sorted((s.skill_id, s.target_level) for s in item.skills_taught.all()) == [(coaching.pk, 2), (sql.pk, 5)]
    page = client.get(f"/catalog/{item.pk}/edit/").content.decode()
    assert 'value="Coaching"' in page and 'value="SQL"' in page
    assert '<option value="5" selected>5 · ' in page  # the level's name from the scale
    # Rows left empty remove the skills.
    client.post(
        f"/catalog/{item.pk}/edit/",
        {"kind": "mentoring", "title": "Mentoring", "summary": "x", "language": "de", **skill_rows(("SQL", 5))},
    )
    assert [s.skill_id for s in item.skills_taught.all()] == [sql.pk]


def test_a_level_off_the_scale_is_refused_on_its_row(personas: Personas) -> None:
    skill_create(actor=None, name="Coaching")
    response = _lena(personas).post(
        "/catalog/new/",
        {"kind": "mentoring", "title": "M", "summary": "x", "language": "en", **skill_rows(("Coaching", 6))},
    )
    assert response.status_code == 400
    assert "Row 1: Select a valid choice. 6 is not one of the available choices." in response.content.decode()


def test_skill_suggestions_are_bounded_and_leave_retired_skills_out(personas: Personas) -> None:
    for number in range(25):
        skill_create(actor=None, name=f"Testing {number:02d}")
    retired = skill_create(actor=None, name="Testing retired")
    skill_update(actor=None, skill=retired, is_active=False)
    client = Client()
    client.force_login(personas.alice)
    options = client.get("/catalog/skills/", {"skills-3-skill": "testing"}).content.decode()
    assert options.count("<option") == 20 and "Testing 00" in options and "retired" not in options
    assert client.get("/catalog/skills/", {"q": ""}).content.decode().strip() == ""


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("English", "en"),
        ("deutsch", "de"),
        ("German", "de"),
        ("pt_BR", "pt"),
        ("en-GB", "en"),
        ("Klingon", None),
        ("", None),
        ("xx-YY", None),
    ],
)
def test_languages_are_read_from_codes_names_and_regional_tags(typed: str, code: str | None) -> None:
    assert language_code(typed) == code


def test_the_migration_turns_typed_languages_into_codes_and_keeps_the_rest(personas: Personas) -> None:
    for title, language in (("A", "English"), ("B", "Deutsch"), ("C", "Klingon"), ("D", "fr"), ("E", "EN")):
        CatalogItem.objects.create(kind=Kind.MENTORING, title=title, summary="x", language=language)
    migration = importlib.import_module("learnloop.learning.migrations.0010_language_codes_from_typed_names")
    migration.to_codes(apps, None)
    assert dict(CatalogItem.objects.values_list("title", "language")) == {
        "A": "en",
        "B": "de",
        "C": "Klingon",
        "D": "fr",
        "E": "en",
    }


def test_an_unknown_language_stays_visible_until_someone_fixes_it(personas: Personas) -> None:
    item = CatalogItem.objects.create(kind=Kind.MENTORING, title="Old", summary="x", language="Klingon")
    client = _lena(personas)
    page = client.get(f"/catalog/{item.pk}/edit/").content.decode()
    assert "“Klingon”: not a known language, choose one" in page
    assert "<dt>Language</dt><dd>Klingon</dd>" in client.get(f"/catalog/{item.pk}/").content.decode()
    # Saving other changes keeps it; choosing a language fixes it.
    services.item_update(actor=personas.lena, item=item, title="Older")
    form = {"kind": "mentoring", "title": "Old", "summary": "x", "language": "Klingon"}
    assert client.post(f"/catalog/{item.pk}/edit/", form).status_code == 302
    assert client.post(f"/catalog/{item.pk}/edit/", {**form, "language": "de"}).status_code == 302
    item.refresh_from_db()
    assert item.language == "de"
    assert "<dt>Language</dt><dd>German</dd>" in client.get(f"/catalog/{item.pk}/").content.decode()
    with pytest.raises(ValidationError) as caught:
        services.item_update(actor=personas.lena, item=item, language="Klingon")
    assert "language" in caught.value.message_dict


def test_the_api_keeps_its_payloads_and_reports_every_problem(personas: Personas) -> None:
    coaching = skill_create(actor=None, name="Coaching")
    retired = skill_create(actor=None, name="Old skill")
    skill_update(actor=None, skill=retired, is_active=False)
    token = token_create(actor=personas.lena, person=personas.lena, name="t").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})

    def post(payload: dict[str, Any]) -> Any:
        return api.post("/api/v1/catalog", payload, content_type="application/json")

    named = post({"kind": "self_paced", "title": "By name", "summary": "x", "language": "English"})
    assert named.status_code == 201 and named.json()["language"] == "en"
    bad = post(
        {
            "kind": "book",
            "title": "x",
            "summary": "y",
            "language": "Klingon",
            "skills": [
                {"skill_id": coaching.pk, "target_level": 9},
                {"skill_id": retired.pk, "target_level": 2},
                {"skill_id": coaching.pk, "target_level": 2},
            ],
        }
    )
    fields = bad.json()["error"]["fields"]
    assert bad.status_code == 400 and {"author", "language", "skills"} <= set(fields)
    assert len(fields["skills"]) == 3
    assert not CatalogItem.objects.filter(title="x").exists()
