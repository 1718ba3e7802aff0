"""Request types for views behind sign-in, so `request.user` is typed as a Person."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from learnloop.people.models import Person


class AuthedRequest(HttpRequest):
    user: "Person"
    htmx: bool
