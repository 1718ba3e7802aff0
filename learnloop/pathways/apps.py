import datetime as dt

from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "learnloop.pathways"
    label = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        from learnloop.core import home, schedule
        from learnloop.core.navigation import NavItem, manages_people, register
        from learnloop.pathways import jobs, selectors

        register(NavItem(key="pathways", label="Pathways", url_name="pathways:catalog", order=14, group="growth"))
        # The assign page lists the pathways of the manager's people under the form.
        register(
            NavItem(
                key="team_pathways",
                label="Team pathways",
                url_name="pathways:assign",
                visible=manages_people,
                order=14,
                group="team",
            )
        )
        home.register(
            home.HomePanel(
                key="pathways",
                template="pathways/home_panel.html",
                context=selectors.home_panel,
                order=30,
                versions=("pathways",),
            )
        )
        from learnloop.core.response_cache import person_version, track
        from learnloop.pathways.models import Assignment, Certificate, Pathway, Stage, Step

        track(Assignment, version=lambda row: person_version(row.person_id))
        track(Certificate, version=lambda row: person_version(row.person_id))
        for model in (Pathway, Stage, Step):
            track(model, version=lambda _: "pathways")
        schedule.register("pathways.completions", every=dt.timedelta(minutes=10), run=jobs.completions_record)
        schedule.register("pathways.reminders", every=dt.timedelta(hours=1), run=jobs.due_reminders_send)
        schedule.register("pathways.recertification", every=dt.timedelta(hours=6), run=jobs.recertification_send)

        from learnloop.core import policy
        from learnloop.core.navigation import AdminTile, register_admin_tile

        register_admin_tile(
            AdminTile(
                key="pathway_new",
                title="Build a pathway",
                url_name="pathways:create",
                description="Stages of learning for a role, in order or \u201cany 2 of 3\u201d, with certifications.",
                visible=lambda person: policy.can(person, "create", Pathway),
                order=40,
            )
        )
