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
