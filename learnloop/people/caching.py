"""The directory's cached API answers, and the signals that retire them when people data changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from learnloop.core import response_cache
from learnloop.core.response_cache import DIRECTORY, CachedRoute, by_person, same_for_everyone

# Saving only these fields changes nothing anyone sees in the directory (every sign-in sets last_login).
_INVISIBLE_FIELDS = frozenset({"last_login", "password"})


def _directory_changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= _INVISIBLE_FIELDS:
        return
    response_cache.version_bump(DIRECTORY)


def connect() -> None:
    from learnloop.people.models import JobRole, Location, OrgUnit, Person, RoleGrant

    for model in (Person, OrgUnit, Location, JobRole, RoleGrant):
        post_save.connect(_directory_changed, sender=model, dispatch_uid=f"directory-{model.__name__}-save")
        post_delete.connect(_directory_changed, sender=model, dispatch_uid=f"directory-{model.__name__}-delete")
    # Everyone may view everyone in the directory (policy "people.person" "view" is Anyone), so the list
    # is the same for every viewer; a profile's answer depends on who asks (private fields).
    response_cache.register(CachedRoute("api/v1/people", (DIRECTORY,), same_for_everyone))
    response_cache.register(CachedRoute("api/v1/people/<person_id>", (DIRECTORY,), by_person))
