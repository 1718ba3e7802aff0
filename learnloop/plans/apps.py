from typing import Any

from django.apps import AppConfig


def _plan_owner_version(row: Any) -> str | None:
    """Goals and comments change their plan owner's pages."""
    from learnloop.core.response_cache import person_version
    from learnloop.plans.models import Plan

    return person_version(Plan.objects.filter(pk=row.plan_id).values_list("person_id", flat=True).first())


class PlansConfig(AppConfig):
    name = "learnloop.plans"
    label = "plans"
    verbose_name = "Development plans"

    def ready(self) -> None:
        import datetime as dt

        from learnloop.core import home, navigation, schedule
        from learnloop.plans.reminders import goal_reminders_send
        from learnloop.plans.selectors import home_panel_context
        from learnloop.plans.transfer import transfer_checks_create

        navigation.register(
            navigation.NavItem(key="plans", label="Plan", url_name="plans:mine", order=13, group="growth")
        )
        navigation.register(
            navigation.NavItem(
                key="team_plans",
                label="Team plans",
                url_name="plans:team",
                visible=navigation.manages_people,
                order=13,
                group="team",
            )
        )
        home.register(
            home.HomePanel(
                key="plan",
                template="plans/home_panel.html",
                context=home_panel_context,
                order=20,
                versions=("plans", "catalog"),
            )
        )
        from learnloop.core.response_cache import person_version, track
        from learnloop.plans.models import Goal, Objective, Plan, PlanComment, TransferCheck
        from learnloop.skills.scale import LevelColumn, register_level_column

        register_level_column(LevelColumn("goal_targets", "goal target levels", Goal, "target_level"))

        track(Plan, version=lambda row: person_version(row.person_id))
        track(Goal, version=_plan_owner_version)
        track(PlanComment, version=_plan_owner_version)
        track(TransferCheck, version=lambda row: [person_version(row.learner_id), person_version(row.respondent_id)])
        track(Objective, version=lambda _: "plans")
        schedule.register("plans.transfer_checks", every=dt.timedelta(hours=1), run=transfer_checks_create)
        schedule.register("plans.goal_reminders", every=dt.timedelta(hours=6), run=goal_reminders_send)

        from learnloop.core import policy
        from learnloop.core.navigation import AdminTile, register_admin_tile

        register_admin_tile(
            AdminTile(
                key="objectives",
                title="Objectives",
                url_name="plans:objectives",
                description="The organization's objectives that development goals link to.",
                visible=lambda person: policy.can(person, "create", Objective),
                order=50,
            )
        )
        register_admin_tile(
            AdminTile(
                key="transfer_insights",
                title="Is learning applied?",
                url_name="plans:transfer_insights",
                description="Answers to the 30/60/90-day transfer checks, per item.",
                visible=lambda person: policy.can(person, "summarize", TransferCheck),
                order=51,
            )
        )
