"""The menu's top level: grouped entries gather under their group, in order, and only what a person sees."""

import pytest

from learnloop.core import navigation
from learnloop.core.navigation import NavGroup, NavItem, menu_for


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(navigation, "_ITEMS", {})
    monkeypatch.setattr(navigation, "_GROUPS", {})
    navigation.register_group(NavGroup(key="growth", label="Growth", order=13))
    for item in (
        NavItem(key="home", label="Home", url_name="core:home", order=0),
        NavItem(key="catalog", label="Catalog", url_name="learning:catalog", order=12),
        NavItem(key="plans", label="Plan", url_name="plans:mine", order=13, group="growth"),
        NavItem(key="skills", label="Skills", url_name="skills:list", order=15, group="growth"),
        NavItem(key="odd", label="Odd", url_name="odd:page", order=50, group="no-such-group"),
        NavItem(key="admin", label="Admin", url_name="core:admin_area", order=900, visible=lambda p: p == "admin"),
    ):
        navigation.register(item)


def _shape(person):
    return [(e.label, [c.label for c in e.children]) for e in menu_for(person)]


def test_grouped_entries_gather_under_their_group_in_order(registry):
    assert _shape("admin") == [
        ("Home", []),
        ("Catalog", []),
        ("Growth", ["Plan", "Skills"]),
        ("Odd", []),
        ("Admin", []),
    ]
    growth = menu_for("employee")[2]
    assert growth.namespaces == {"plans", "skills"} and growth.item is None


def test_a_group_with_one_visible_entry_is_just_that_link(registry):
    navigation.register(NavItem(key="skills", label="Skills", url_name="skills:list", visible=lambda p: False))
    navigation.register(NavItem(key="plans", label="Plan", url_name="plans:mine", order=13, group="growth"))
    entries = menu_for("employee")
    assert [e.label for e in entries] == ["Home", "Catalog", "Plan", "Odd"]
    assert entries[2].item is not None and entries[2].item.url_name == "plans:mine"


def test_the_real_menu_groups_growth(db):
    from learnloop.core.testing import PersonFactory

    labels = {e.label: [c.label for c in e.children] for e in menu_for(PersonFactory.create())}
    assert labels["Growth"] == ["Plan", "Pathways", "Skills", "Learning time", "Learning record"]
    assert len(labels) <= 7


def _team_entries(person) -> list[str]:
    return {e.label: [c.label for c in e.children] for e in menu_for(person)}.get("My team", [])


def test_growth_skills_opens_my_skills_not_the_taxonomy(db):
    from learnloop.core.testing import PersonFactory

    growth = {e.label: e for e in menu_for(PersonFactory.create())}["Growth"]
    assert {c.label: c.url_name for c in growth.children}["Skills"] == "skills:mine"


def test_only_people_with_reports_get_my_team(personas):
    assert _team_entries(personas.bob) == ["Team plans", "Team pathways", "Team skills", "Team learning time"]
    # Reports at any depth make a manager; admin roles alone do not (the team pages show one's own reports).
    assert _team_entries(personas.mona) != []
    for person in (personas.alice, personas.pat, personas.lena, personas.otto):
        assert _team_entries(person) == []


def test_a_team_page_marks_my_team_not_growth(personas):
    from learnloop.core.navigation import current_group

    menu = menu_for(personas.bob)
    assert current_group(menu, view_name="skills:team", namespace="skills") == "team"
    assert current_group(menu, view_name="skills:mine", namespace="skills") == "growth"
    # A page no entry links to is marked by the first group holding its namespace.
    assert current_group(menu, view_name="skills:person", namespace="skills") == "growth"
    assert current_group(menu, view_name="people:profile", namespace="people") == ""


def _page(person, url: str) -> str:
    from django.test import Client

    client = Client()
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_team_buttons_show_only_to_people_with_reports(personas):
    for url in ("/skills/", "/skills/mine/", "/"):
        assert 'href="/skills/team/"' not in _page(personas.alice, url), url
        assert 'href="/skills/team/"' not in _page(personas.pat, url), url
        assert 'href="/skills/team/"' in _page(personas.bob, url), url
    assert 'href="/plans/team/"' not in _page(personas.alice, "/plans/")
    assert 'href="/plans/team/"' in _page(personas.bob, "/plans/")


def test_my_skills_is_the_persons_own_page_and_leads_to_the_taxonomy(personas):
    page = _page(personas.alice, "/skills/mine/")
    assert "<h1>My skills</h1>" in page
    assert 'href="/skills/"' in page and 'href="/skills/roles/"' in page
    # The menu marks it as the current page.
    assert 'href="/skills/mine/" aria-current="page"' in page


def test_the_admin_area_shows_each_admin_the_tiles_their_role_may_use(personas):
    def titles(person) -> set[str]:
        import re

        return set(re.findall(r'<h2><a href="[^"]*">([^<]+)</a></h2>', _page(person, "/admin-area/")))

    assert {"Import people", "Add a person", "People", "Audit log"} <= titles(personas.pat)
    assert {"LRS clients", "Background tasks", "Audit log"} <= titles(personas.otto)
    assert {"Skills taxonomy", "Add to the catalog", "Build a pathway"} <= titles(personas.lena)
    assert "LRS clients" not in titles(personas.pat) and "Import people" not in titles(personas.lena)
    assert 'href="/people/?include_inactive=on"' in _page(personas.pat, "/admin-area/")


def test_core_views_know_no_domain():
    """core/views.py reaches skills, the LRS and the other domains only through core's registries (home
    panels, navigation, admin tiles); people stays, as the accounts everything hangs on."""
    import ast
    from pathlib import Path

    import learnloop.core.views

    tree = ast.parse(Path(learnloop.core.views.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    domains = {name.split(".")[1] for name in imported if name.startswith("learnloop.")}
    assert domains <= {"core", "people"}
