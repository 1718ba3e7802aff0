from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.learning import selectors, services
from learnloop.learning.models import CatalogItem
from learnloop.learning.rendering import lesson_html
from learnloop.skills.services import skill_create

Kind, Delivery = CatalogItem.Kind, CatalogItem.Delivery


def skill_rows(*rows: tuple[str, object]) -> dict[str, object]:
    """The item form's skill rows as posted: a management form and one skill and level per row."""
    data: dict[str, object] = {"skills-TOTAL_FORMS": len(rows), "skills-INITIAL_FORMS": 0}
    for number, (skill, level) in enumerate(rows):
        data[f"skills-{number}-skill"], data[f"skills-{number}-level"] = skill, level
    return data


def _item(**fields: Any) -> CatalogItem:
    defaults: dict[str, Any] = {"kind": Kind.SELF_PACED, "title": "Untitled", "summary": "Something."}
    return services.item_create(actor=None, **{**defaults, **fields})


def test_search_finds_words_by_stem_and_prefix_and_ranks_titles(personas: Personas) -> None:
    _item(title="Facilitation workshop", summary="Run sessions where every voice is heard.")
    _item(title="Negotiation basics", summary="Agreements both sides accept, even when facilitating is hard.")
    _item(title="Python testing", summary="Write tests that fail for the right reason.")
    found = [i.title for i in selectors.catalog_list(actor=personas.alice, text="facilitat")]
    assert set(found) == {"Facilitation workshop", "Negotiation basics"}
    assert [i.title for i in selectors.catalog_list(actor=personas.alice, text="testing python")] == ["Python testing"]
    assert list(selectors.catalog_list(actor=personas.alice, text="zebra")) == []


def test_search_text_is_never_query_syntax(personas: Personas) -> None:
    _item(title="C++ and Rust", summary="Systems programming.")
    for text in ['"', "NEAR(", "title:*", "a OR", "-", "' OR 1=1 --", "*"]:
        list(selectors.catalog_list(actor=personas.alice, text=text))  # must not raise


def test_updates_reach_the_search_index(personas: Personas) -> None:
    item = _item(title="Old name", summary="Nothing special.")
    services.item_update(actor=personas.lena, item=item, title="Kubernetes operations")
    assert [i.pk for i in selectors.catalog_list(actor=personas.alice, text="kubernetes")] == [item.pk]
    assert list(selectors.catalog_list(actor=personas.alice, text="old name")) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"delivery": Delivery.LINK}, "url"),
        ({"delivery": Delivery.LESSON}, "lesson"),
        ({"kind": Kind.BOOK}, "author"),
        ({"kind": Kind.STRETCH}, "scope"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"url": "not a url", "delivery": Delivery.LINK}, "url"),
    ],
)
def test_each_format_asks_for_what_it_needs(db: None, fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _item(**fields)
    assert field in caught.value.message_dict
    assert CatalogItem.objects.count() == 0


def test_lessons_keep_formatting_and_lose_script() -> None:
    html = str(lesson_html("## Hi\n\n<script>alert(1)</script>\n\n[ok](https://a.example) [bad](javascript:x)"))
    assert "<h2>Hi</h2>" in html and "<script" not in html and "javascript:" not in html
    assert 'href="https://a.example"' in html


def test_drafts_are_seen_by_their_owner_and_the_l_and_d_team_only(personas: Personas) -> None:
    draft = _item(title="Draft course", is_published=False, owner=personas.bob)
    assert draft not in selectors.catalog_list(actor=personas.alice)
    assert draft in selectors.catalog_list(actor=personas.bob)
    assert draft in selectors.catalog_list(actor=personas.lena)
    client = Client()
    client.force_login(personas.alice)
    assert client.get(f"/catalog/{draft.pk}/").status_code == 404


def test_l_and_d_admins_add_items_with_skills_through_the_form_and_api(personas: Personas) -> None:
    skill = skill_create(actor=None, name="Coaching")
    client = Client()
    client.force_login(personas.lena)
    response = client.post(
        "/catalog/new/",
        {
            "kind": "book",
            "title": "The Coaching Habit",
            "summary": "Seven questions.",
            "delivery": "none",
            "language": "en",
            "author": "M. B. Stanier",
            **skill_rows(("coaching", 3)),
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    item = CatalogItem.objects.get(title="The Coaching Habit")
    assert [(s.skill.name, s.target_level) for s in item.skills_taught.all()] == [("Coaching", 3)]
    assert AuditEvent.objects.filter(action="catalog_item.create").exists()
    bad = client.post(
        "/catalog/new/",
        {
            "kind": "book",
            "title": "No author",
            "summary": "x",
            "delivery": "none",
            "language": "en",
            **skill_rows(("Unknown skill", 2)),
        },
    )
    assert bad.status_code == 400 and "Row 1: no skill is called “Unknown skill”" in bad.content.decode()
    assert "A book needs its author." in bad.content.decode()
    token = token_create(actor=personas.lena, person=personas.lena, name="t").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    created = api.post(
        "/api/v1/catalog",
        {
            "kind": "self_paced",
            "title": "Coaching basics",
            "summary": "Ask more.",
            "skills": [{"skill_id": skill.pk, "target_level": 2}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["skills"][0]["skill"] == "Coaching"
    found = api.get("/api/v1/catalog", {"q": "coaching", "kind": "self_paced"}).json()
    assert [i["title"] for i in found["items"]] == ["Coaching basics"]
    missing = api.post(
        "/api/v1/catalog", {"kind": "book", "title": "x", "summary": "y"}, content_type="application/json"
    )
    assert missing.status_code == 400 and "author" in missing.json()["error"]["fields"]


def test_the_catalog_page_filters_and_answers_htmx(personas: Personas) -> None:
    _item(title="Giving feedback well", kind=Kind.LIVE_SESSION)
    _item(title="Feedback reading list", kind=Kind.BOOK, author="Someone")
    client = Client()
    client.force_login(personas.alice)
    partial = client.get("/catalog/", {"q": "feedback", "kind": "book"}, headers={"HX-Request": "true"})
    page = partial.content.decode()
    assert "<html" not in page and "Feedback reading list" in page and "Giving feedback well" not in page


@pytest.mark.skipif("not __import__('os').environ.get('DATABASE_URL')", reason="PostgreSQL's planner only")
def test_postgresql_search_can_use_the_gin_index(personas: Personas) -> None:
    from django.db import connection

    from learnloop.learning.search import search

    # The search expression alone: the policy's OR-ed visibility filter is answered by other indexes.
    items = search(CatalogItem.objects.all(), "coaching")
    sql, params = items.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "catalog_search_idx" in plan


def test_durations_read_in_hours_and_minutes_everywhere(personas: Personas) -> None:
    from learnloop.core.templatetags.durations import duration

    assert [duration(m) for m in (45, 60, 90, 600, None)] == ["45 min", "1 h", "1 h 30 min", "10 h", "—"]
    book = _item(kind=Kind.BOOK, title="A long book", author="A. Author", duration_minutes=600)
    client = Client()
    client.force_login(personas.alice)
    assert "<dt>Takes</dt><dd>10 h</dd>" in client.get(f"/catalog/{book.pk}/").content.decode()
    assert "10 h ·" in client.get("/catalog/", {"q": "long book"}).content.decode()


def test_an_uploaded_file_is_stored_and_downloaded_by_those_who_see_the_item(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    lena = Client()
    lena.force_login(personas.lena)
    upload = SimpleUploadedFile("review-checklist.md", b"# Review checklist\n\n1. Read the tests first.\n")
    form = {"kind": "self_paced", "title": "Review checklist", "summary": "Use it.", "delivery": "file"}
    created = lena.post("/catalog/new/", {**form, "language": "en", "file": upload, "is_published": "on"})
    assert created.status_code == 302
    item = CatalogItem.objects.get(title="Review checklist")
    alice = Client()
    alice.force_login(personas.alice)
    page = alice.get(f"/catalog/{item.pk}/").content.decode()
    assert f'href="/catalog/{item.pk}/file/"' in page
    download = alice.get(f"/catalog/{item.pk}/file/")
    assert download.status_code == 200 and download.getvalue().startswith(b"# Review checklist")
    assert download["Content-Disposition"].startswith("attachment;")
    services.item_update(actor=personas.lena, item=item, is_published=False)
    assert alice.get(f"/catalog/{item.pk}/file/").status_code == 404
    assert lena.get(f"/catalog/{item.pk}/file/").status_code == 200
    no_file = _item(title="No file")
    assert lena.get(f"/catalog/{no_file.pk}/file/").status_code == 404
