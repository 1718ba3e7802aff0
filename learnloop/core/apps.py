import datetime as dt

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "learnloop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.urls import register_converter

        from learnloop.core.bounds import IdConverter

        # `<id:...>` in every URL that names a row: before any URLconf is loaded.
        register_converter(IdConverter, "id")

        from learnloop.core.navigation import NavGroup, NavItem, register, register_group

        register(NavItem(key="home", label="Home", url_name="core:home", order=0))
        # One disclosure for a person's own development (plan, pathways, skills, learning time, record),
        # so the menu stays one row on a laptop and two on a phone.
        register_group(NavGroup(key="growth", label="Growth", order=13))
        register(
            NavItem(
                key="admin",
                label="Admin",
                url_name="core:admin_area",
                visible=lambda person: bool(person.roles & {"people_admin", "org_admin", "ld_admin"}),
                order=900,
            )
        )

        from learnloop.core import home, response_cache

        response_cache.register(
            response_cache.CachedRoute(
                "", versions=home.versions, viewer_key=response_cache.by_person, seconds=60, page=True
            )
        )

        from learnloop.core import schedule
        from learnloop.core.imports import stalled_jobs_fail

        schedule.register("core.stalled_imports", every=dt.timedelta(minutes=30), run=stalled_jobs_fail)
