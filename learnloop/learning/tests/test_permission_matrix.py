from typing import Any

import pytest
from django.urls import reverse

from learnloop.core.testing import Personas, Row, anyone, case_id, matrix_cases, only_roles, run_case
from learnloop.learning.models import CatalogItem

API = "/api/v1"
LD = ("ld_admin", "org_admin")


def _published() -> CatalogItem:
    return CatalogItem.objects.get_or_create(title="Published", defaults={"kind": "self_paced", "summary": "x"})[0]


def _form(_: Any) -> dict[str, Any]:
    return {"kind": "self_paced", "title": "New item", "summary": "Learn it.", "delivery": "none", "language": "en"}


ROWS = [
    Row("learning:catalog", "GET", lambda _: reverse("learning:catalog"), anyone, per_object=False),
    Row(
        "learning:item",
        "GET",
        lambda _: reverse("learning:item", kwargs={"item_id": _published().pk}),
        anyone,
        per_object=False,
    ),
    Row("learning:item_create", "GET", lambda _: reverse("learning:item_create"), only_roles(*LD), per_object=False),
    Row(
        "learning:item_create",
        "POST",
        lambda _: reverse("learning:item_create"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_form,
    ),
    # Items are edited by their owner or the L&D team; this one has no owner.
    Row(
        "learning:item_edit",
        "GET",
        lambda _: reverse("learning:item_edit", kwargs={"item_id": _published().pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "learning:item_edit",
        "POST",
        lambda _: reverse("learning:item_edit", kwargs={"item_id": _published().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_form,
    ),
    Row(f"GET {API}/catalog", "GET", lambda _: f"{API}/catalog", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/catalog/{{item_id}}",
        "GET",
        lambda _: f"{API}/catalog/{_published().pk}",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/catalog",
        "POST",
        lambda _: f"{API}/catalog",
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"kind": "self_paced", "title": "Via API", "summary": "x"},
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ROWS), ids=case_id)
def test_permission_matrix(personas: Personas, case: tuple[Row, str, str]) -> None:
    expected, actual = run_case(personas, *case)
    assert actual == expected
