"""A NUL character in a query string or form is bad input, never a 500 (PostgreSQL text cannot hold it)."""

import pytest
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas

pytestmark = pytest.mark.django_db

PAGES = ["/people/?q=a%00b", "/catalog/?q=a%00b", "/skills/?q=a%00b", "/admin-area/audit/?action=a%00b"]
API = ["/api/v1/people?q=a%00b", "/api/v1/catalog?q=a%00b", "/api/v1/skills?q=a%00b"]


@pytest.mark.parametrize("url", PAGES)
def test_pages(personas: Personas, url: str) -> None:
    client = Client()
    client.force_login(personas.otto)
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("url", API)
def test_api(personas: Personas, url: str) -> None:
    token = token_create(actor=personas.otto, person=personas.otto, name="t").secret
    answer = Client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400 and answer.json()["error"]["fields"] == {
        "q": ["q contains a NUL character, which is not allowed."]
    }


def test_form_posts(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    answer = client.post("/accounts/tokens/", {"name": "lap\x00top"})
    assert answer.status_code in (200, 302, 400)


def test_json_bodies(personas: Personas) -> None:
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    answer = Client().post(
        "/api/v1/tokens",
        '{"name": "lap\\u0000top"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400 and "body" in answer.json()["error"]["fields"]
