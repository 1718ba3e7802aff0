"""The directory's cached API answers, and the versions that retire them when people data changes."""

from __future__ import annotations

from learnloop.core import response_cache
from learnloop.core.response_cache import DIRECTORY, CachedRoute, access_version, by_person, same_for_everyone

# Saving only these fields changes nothing anyone sees in the directory (every sign-in sets last_login).
_INVISIBLE_FIELDS = frozenset({"last_login", "password"})


def connect() -> None:
    from learnloop.people.models import JobRole, Location, OrgUnit, Person, RoleGrant

    for model in (Person, OrgUnit, Location, JobRole, RoleGrant):
        response_cache.track(model, version=lambda _: DIRECTORY, ignore_fields=_INVISIBLE_FIELDS)
    # A role granted or taken away changes everything its holder may see: retire all their cached answers.
    response_cache.track(RoleGrant, version=lambda grant: access_version(grant.person_id))
    # Everyone may view everyone in the directory (policy "people.person" "view" is Anyone), so the list
    # is the same for every viewer, except a team (`?manager=`), listed only to who may see it; a
    # profile's answer depends on who asks (private fields).
    response_cache.register(
        CachedRoute("api/v1/people", (DIRECTORY,), same_for_everyone, per_viewer_params=("manager",))
    )
    response_cache.register(CachedRoute("api/v1/people/<person_id>", (DIRECTORY,), by_person))
