from typing import Any

from django.apps import AppConfig


def unread_count(person: Any) -> int:
    from learnloop.notifications.models import Notification

    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


class NotificationsConfig(AppConfig):
    name = "learnloop.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(
            NavItem(
                key="notifications",
                label="Notifications",
                url_name="notifications:list",
                order=90,
                badge=unread_count,
            )
        )

        from learnloop.core.response_cache import person_version, track
        from learnloop.notifications.models import Notification

        track(Notification, version=lambda row: person_version(row.recipient_id))
