"""Request types for views behind sign-in, so `request.user` is typed as a Person; absolute addresses."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from learnloop.people.models import Person


class AuthedRequest(HttpRequest):
    user: "Person"
    htmx: bool


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` as a full address: on the host, port and scheme the request came to when there is one (so a
    demo on another port, or a second host name, links to itself), else on the configured SITE_URL (emails,
    background tasks, commands). The host was checked against ALLOWED_HOSTS."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.SITE_URL}{path}"
