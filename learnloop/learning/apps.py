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
