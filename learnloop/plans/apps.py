from django.apps import AppConfig


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

        navigation.register(navigation.NavItem(key="plans", label="Plan", url_name="plans:mine", order=14))
        home.register(
            home.HomePanel(key="plan", template="plans/home_panel.html", context=home_panel_context, order=20)
        )
        schedule.register("plans.transfer_checks", every=dt.timedelta(hours=1), run=transfer_checks_create)
        schedule.register("plans.goal_reminders", every=dt.timedelta(hours=6), run=goal_reminders_send)
