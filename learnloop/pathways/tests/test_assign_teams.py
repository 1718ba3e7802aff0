"""The assign page's team field at scale: past PICK_LIMIT teams it is a name search, not a drop-down."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learnloop.accounts.services import token_create
from learnloop.core.testing import OrgUnitFactory, Personas, PersonFactory
from learnloop.pathways.models import Assignment
from learnloop.pathways.tests.factories import item, pathway
from learnloop.people.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_teams(monkeypatch, personas: Personas):
    """The personas' units (Acme, Acme / Atlas, Acme / Beacon) are more than a limit of 2."""
    monkeypatch.setattr("learnloop.core.forms.PICK_LIMIT", 2)
    return pathway([("Only", [item("Coaching")], None)], title="Lead well")


def personas_company() -> OrgUnit:
    return OrgUnit.objects.get(path="Acme")


def _teams(n: int, prefix: str) -> None:
    for i in range(n):
        PersonFactory.create(org_unit=OrgUnitFactory.create(name=f"{prefix} {i}", parent=personas_company()))


def _assign(client: Client, built, team: str):
    return client.post(reverse("pathways:assign"), {"pathway": built.pk, "team": team, "required": "1"})


def test_past_the_limit_the_team_is_typed_with_suggestions(client: Client, personas: Personas, many_teams) -> None:
    client.force_login(personas.lena)
    page = client.get(reverse("pathways:assign")).content.decode()
    assert 'list="team-options"' in page and '<datalist id="team-options">' in page
    assert "Acme / Beacon" not in page  # no option list of every team
    options = client.get(reverse("pathways:team_search"), {"team": "atl"}).content.decode()
    assert '<option value="Acme / Atlas">' in options and "Beacon" not in options
    assert client.get(reverse("pathways:team_search"), {"team": ""}).content.decode().strip() == ""


def test_a_typed_name_or_path_resolves_to_one_team(client: Client, personas: Personas, many_teams) -> None:
    client.force_login(personas.lena)
    assert _assign(client, many_teams, "atlas").status_code == 302  # an exact name, any case
    assert set(Assignment.objects.values_list("person__first_name", flat=True)) == {"Alice", "Bob"}
    Assignment.objects.all().delete()
    # "Acme" is inside every path, but it is exactly one unit's path: that unit (and the units under it).
    assert _assign(client, many_teams, "Acme").status_code == 302
    assert Assignment.objects.filter(person=personas.oscar).exists()


def test_no_match_or_several_matches_name_the_team_field(client: Client, personas: Personas, many_teams) -> None:
    client.force_login(personas.lena)
    none = _assign(client, many_teams, "Nowhere")
    assert none.status_code == 400
    assert "No team you may assign matches “Nowhere”." in none.content.decode()
    assert 'id="id_team_error"' in none.content.decode()
    several = _assign(client, many_teams, "Acme / ").content.decode()
    assert "Several teams match “Acme /”: Acme / Atlas; Acme / Beacon." in several
    assert not Assignment.objects.exists()


def test_a_manager_finds_only_their_peoples_teams(client: Client, personas: Personas, many_teams) -> None:
    for name in ("Comet", "Dune"):  # three units with bob's reports: past the limit for him too
        PersonFactory.create(manager=personas.bob, org_unit=OrgUnitFactory.create(name=name, parent=personas_company()))
    client.force_login(personas.bob)
    assert "Beacon" not in client.get(reverse("pathways:team_search"), {"team": "Beacon"}).content.decode()
    assert "No team you may assign matches “Beacon”." in _assign(client, many_teams, "Beacon").content.decode()
    assert not Assignment.objects.exists()
    assert _assign(client, many_teams, "Dune").status_code == 302
    assert Assignment.objects.get().person.org_unit.name == "Dune"


def test_everyone_else_gets_no_suggestions(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert client.get(reverse("pathways:team_search"), {"team": "Atlas"}).status_code == 404


def test_the_team_search_queries_do_not_grow(client: Client, personas: Personas, many_teams) -> None:
    client.force_login(personas.lena)
    counts = []
    for n, prefix in ((0, "Warm-up"), (3, "Small"), (30, "Large")):  # the first round fills per-process caches
        _teams(n, prefix)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pathways:assign")).status_code == 200
            assert client.get(reverse("pathways:team_search"), {"team": "a"}).status_code == 200
            assert _assign(client, many_teams, "Nowhere").status_code == 400
            assert _assign(client, many_teams, "Atlas").status_code == 302
        counts.append(len(queries))
        Assignment.objects.all().delete()
    assert counts[1] == counts[2]


def _api_get(person, query: dict[str, str]):
    secret = token_create(actor=person, person=person, name="t").secret
    return Client().get("/api/v1/pathways/assignable-teams", query, headers={"Authorization": f"Bearer {secret}"})


def test_the_api_finds_assignable_teams(personas: Personas) -> None:
    found = _api_get(personas.lena, {"q": "atlas"})
    assert found.status_code == 200
    assert [(t["name"], t["path"]) for t in found.json()] == [("Atlas", "Acme / Atlas")]
    missing = _api_get(personas.lena, {})
    assert missing.status_code == 400 and "q" in missing.json()["error"]["fields"]
    assert _api_get(personas.alice, {"q": "a"}).status_code == 404
