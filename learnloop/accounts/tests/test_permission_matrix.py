from typing import Any

from django.urls import reverse

from learnloop.accounts.services import token_create
from learnloop.core.testing import Row, anyone, matrix_test, own_or

API = "/api/v1"


def _token_of(person: Any) -> Any:
    return token_create(actor=person, person=person, name="subject").token


def _page(name: str) -> Any:
    return lambda _: reverse(name)


def _bad_reset_link(_: Any) -> str:
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})


ROWS = [
    # Signed-in people are sent on from the sign-in page.
    Row("accounts:login", "GET", _page("accounts:login"), anyone, per_object=False, ok=302, anonymous=200),
    # Anyone may try to sign in: a wrong password shows the form again; signed-in people are sent on.
    Row(
        "accounts:login",
        "POST",
        _page("accounts:login"),
        anyone,
        per_object=False,
        ok=302,
        anonymous=200,
        data={"username": "nobody@example.com", "password": "not the password"},
    ),
    Row("accounts:logout", "POST", _page("accounts:logout"), anyone, per_object=False, ok=302),
    Row("accounts:password_change", "GET", _page("accounts:password_change"), anyone, per_object=False),
    # Only for oneself, and only signed in: the old password is the persona's.
    Row(
        "accounts:password_change",
        "POST",
        _page("accounts:password_change"),
        anyone,
        per_object=False,
        ok=302,
        data={
            "old_password": "correct horse battery",
            "new_password1": "a fresh and long passphrase 42",
            "new_password2": "a fresh and long passphrase 42",
        },
    ),
    Row(
        "accounts:password_change_done",
        "GET",
        _page("accounts:password_change_done"),
        anyone,
        per_object=False,
    ),
    Row(
        "accounts:password_reset",
        "GET",
        _page("accounts:password_reset"),
        anyone,
        per_object=False,
        anonymous=200,
    ),
    Row(
        "accounts:password_reset",
        "POST",
        _page("accounts:password_reset"),
        anyone,
        per_object=False,
        ok=302,
        anonymous=302,
        data={"email": "alice.adams@example.com"},
    ),
    Row(
        "accounts:password_reset_done",
        "GET",
        _page("accounts:password_reset_done"),
        anyone,
        per_object=False,
        anonymous=200,
    ),
    Row(
        "accounts:password_reset_confirm",
        "GET",
        _bad_reset_link,
        anyone,
        per_object=False,
        anonymous=200,
    ),
    # A bad link is refused on POST as on GET, whoever sends it.
    Row(
        "accounts:password_reset_confirm",
        "POST",
        _bad_reset_link,
        anyone,
        per_object=False,
        anonymous=200,
        data={"new_password1": "a fresh and long passphrase 42", "new_password2": "a fresh and long passphrase 42"},
    ),
    Row(
        "accounts:password_reset_complete",
        "GET",
        _page("accounts:password_reset_complete"),
        anyone,
        per_object=False,
        anonymous=200,
    ),
    Row("accounts:tokens", "GET", _page("accounts:tokens"), anyone, per_object=False),
    Row("accounts:tokens", "POST", _page("accounts:tokens"), anyone, per_object=False, data={"name": "script"}),
    Row(
        "accounts:token_revoke",
        "POST",
        lambda t: reverse("accounts:token_revoke", kwargs={"token_id": t.pk}),
        own_or("org_admin"),
        ok=302,
        subject=_token_of,
    ),
    Row(f"GET {API}/tokens", "GET", lambda _: f"{API}/tokens", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/tokens",
        "POST",
        lambda _: f"{API}/tokens",
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"name": "script"},
    ),
    Row(
        f"DELETE {API}/tokens/{{token_id}}",
        "DELETE",
        lambda t: f"{API}/tokens/{t.pk}",
        own_or("org_admin"),
        anonymous=401,
        subject=_token_of,
    ),
    # Exchanging a password for a token needs no prior sign-in.
    Row(
        f"POST {API}/auth/token",
        "POST",
        lambda _: f"{API}/auth/token",
        anyone,
        per_object=False,
        ok=201,
        anonymous=201,
        json=True,
        data={"username": "alice.adams@example.com", "password": "correct horse battery", "name": "cli"},
    ),
]


test_permission_matrix = matrix_test(ROWS)
