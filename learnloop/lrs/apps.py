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

        from learnloop.core import policy
        from learnloop.core.navigation import AdminTile, register_admin_tile
        from learnloop.lrs.models import Client

        register_admin_tile(
            AdminTile(
                key="lrs_clients",
                title="LRS clients",
                url_name="learning_record:clients",
                description="Connect courses and tools to the learning record store (xAPI), and revoke them.",
                visible=lambda person: policy.can(person, "view", Client),
                order=5,
            )
        )
