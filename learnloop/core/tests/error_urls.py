"""learnloop's URLs plus two views that fail, for the tests of the error pages."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from learnloop.config.urls import handler403, handler404, handler500, urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("a reason that must not be shown")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a stack that must not be shown")


urlpatterns = [*urlpatterns, path("test-forbidden/", forbidden), path("test-broken/", broken)]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
