from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "learnloop.lrs"
    label = "lrs"
    verbose_name = "Learning records (xAPI)"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(
            NavItem(
                key="learning_record",
                label="Learning record",
                url_name="learning_record:mine",
                order=20,
                group="growth",
            )
        )
