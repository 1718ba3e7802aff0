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
        # A manager's way to their people: each domain adds its team page with `visible=manages_people`.
        register_group(NavGroup(key="team", label="My team", order=14))
        register(
            NavItem(
                key="admin",
                label="Admin",
                url_name="core:admin_area",
                visible=lambda person: bool(person.roles & {"people_admin", "org_admin", "ld_admin"}),
                order=900,
            )
        )

        from django_tasks_db.models import DBTaskResult

        from learnloop.core import policy
        from learnloop.core.models import AuditEvent
        from learnloop.core.navigation import AdminTile, register_admin_tile

        register_admin_tile(
            AdminTile(
                key="audit_log",
                title="Audit log",
                url_name="core:audit_log",
                description="Every change to people, roles and tokens: who, what, when.",
                visible=lambda person: policy.can(person, "view", AuditEvent),
                order=4,
            )
        )
        register_admin_tile(
            AdminTile(
                key="tasks",
                title="Background tasks",
                url_name="core:task_list",
                description="Queued, running, failed and finished work, with the errors of failures.",
                visible=lambda person: policy.can(person, "view", DBTaskResult),
                order=6,
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
