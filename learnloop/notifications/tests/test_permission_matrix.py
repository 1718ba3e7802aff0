from typing import Any

from django.urls import reverse

from learnloop.core.testing import Row, anyone, matrix_test

API = "/api/v1"


def _page(name: str) -> Any:
    return lambda _: reverse(name)


def _api(path: str) -> Any:
    return lambda _: f"{API}{path}"


ROWS = [
    # Everything here is the signed-in person's own: their inbox and their choices.
    Row("notifications:list", "GET", _page("notifications:list"), anyone, per_object=False),
    Row("notifications:mark_read", "POST", _page("notifications:mark_read"), anyone, per_object=False, ok=302),
    Row("notifications:settings", "GET", _page("notifications:settings"), anyone, per_object=False),
    Row("notifications:settings", "POST", _page("notifications:settings"), anyone, per_object=False, ok=302, data={}),
    Row(f"GET {API}/notifications", "GET", _api("/notifications"), anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/notifications/read",
        "POST",
        _api("/notifications/read"),
        anyone,
        per_object=False,
        anonymous=401,
        json=True,
        data={},
    ),
    Row(
        f"GET {API}/notifications/preferences",
        "GET",
        _api("/notifications/preferences"),
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"PUT {API}/notifications/preferences",
        "PUT",
        _api("/notifications/preferences"),
        anyone,
        per_object=False,
        anonymous=401,
        json=True,
        data=[{"kind": "due_soon", "in_app": True, "email": False}],  # type: ignore[arg-type]
    ),
]

test_permission_matrix = matrix_test(ROWS)
