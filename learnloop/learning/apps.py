from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learnloop.learning"
    label = "learning"
    verbose_name = "Learning catalog"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(NavItem(key="catalog", label="Catalog", url_name="learning:catalog", order=12))

        from learnloop.learning.tasks import enqueue_external_statements
        from learnloop.lrs import consumers

        consumers.register(enqueue_external_statements)

        import datetime as dt

        from learnloop.core import schedule
        from learnloop.learning.sessions import session_reminders_send

        # Every 15 minutes, so each reminder goes out about a day ahead; the dedupe key keeps it to one.
        schedule.register("learning.session_reminders", every=dt.timedelta(minutes=15), run=session_reminders_send)
