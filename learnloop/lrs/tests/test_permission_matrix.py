"""The xAPI endpoints answer to LRS client credentials only: a person's session or token gets 401.

What each client may do (read, write, own statements only) is tested with the LRS itself.
"""

from django.urls import reverse

from learnloop.core.testing import Row, anyone, matrix_test, only_roles
from learnloop.lrs.models import Client
from learnloop.lrs.services import client_create


def _a_client() -> Client:
    return client_create(actor=None, name="Some course").client


def _xapi(name: str, method: str = "GET", ok: int = 401) -> Row:
    return Row(f"lrs:{name}", method, lambda _: reverse(f"lrs:{name}"), anyone, per_object=False, ok=ok, anonymous=ok)


ROWS = [
    Row("learning_record:mine", "GET", lambda _: reverse("learning_record:mine"), anyone, per_object=False),
    Row("learning_record:export", "GET", lambda _: reverse("learning_record:export"), anyone, per_object=False),
    Row(
        "learning_record:clients",
        "GET",
        lambda _: reverse("learning_record:clients"),
        only_roles("org_admin"),
        per_object=False,
    ),
    Row(
        "learning_record:clients",
        "POST",
        lambda _: reverse("learning_record:clients"),
        only_roles("org_admin"),
        per_object=False,
        data={"name": "Course player", "can_read": "on", "can_write": "on"},
    ),
    # Each case revokes a fresh client, made when its address is built.
    Row(
        "learning_record:client_revoke",
        "POST",
        lambda _: reverse("learning_record:client_revoke", kwargs={"client_id": _a_client().pk}),
        only_roles("org_admin"),
        per_object=False,
        ok=302,
    ),
    Row(
        "learning_record:client_trust",
        "GET",
        lambda _: reverse("learning_record:client_trust", kwargs={"client_id": _a_client().pk}),
        only_roles("org_admin"),
        per_object=False,
    ),
    Row(
        "learning_record:client_trust",
        "POST",
        lambda _: reverse("learning_record:client_trust", kwargs={"client_id": _a_client().pk}),
        only_roles("org_admin"),
        per_object=False,
        ok=302,
        data={"trusted_activity_prefixes": "https://academy.example/courses/"},
    ),
    Row("GET /api/v1/me/statements", "GET", lambda _: "/api/v1/me/statements", anyone, per_object=False, anonymous=401),
    _xapi("statements"),
    _xapi("statements", "POST"),
    _xapi("statements", "PUT"),
    _xapi("state"),
    _xapi("state", "PUT"),
    _xapi("state", "POST"),
    _xapi("state", "DELETE"),
    _xapi("activity_profile"),
    _xapi("activity_profile", "PUT"),
    _xapi("activity_profile", "POST"),
    _xapi("activity_profile", "DELETE"),
    _xapi("agent_profile"),
    _xapi("agent_profile", "PUT"),
    _xapi("agent_profile", "POST"),
    _xapi("agent_profile", "DELETE"),
    _xapi("activities"),
    _xapi("agents"),
    _xapi("about", ok=200),
]


test_permission_matrix = matrix_test(ROWS)
