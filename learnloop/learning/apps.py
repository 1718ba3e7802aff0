from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learnloop.learning"
    label = "learning"
    verbose_name = "Learning catalog"

    def ready(self) -> None:
        from learnloop.core import home
        from learnloop.core.navigation import NavItem, register
        from learnloop.learning.selectors import home_panel

        register(NavItem(key="catalog", label="Catalog", url_name="learning:catalog", order=12))
        # The person's bookings are tracked under their own version; sessions (times, cancellations) under
        # "catalog"; a waitlist place moving when others cancel retires the page explicitly (sessions.py).
        home.register(
            home.HomePanel(
                key="sessions",
                template="learning/home_sessions.html",
                context=home_panel,
                order=25,
                versions=("catalog",),
            )
        )

        from learnloop.learning.tasks import enqueue_external_statements
        from learnloop.lrs import consumers

        consumers.register(enqueue_external_statements)

        from learnloop.core.response_cache import PERSON, CachedRoute, by_person, person_version, track
        from learnloop.core.response_cache import register as register_cached
        from learnloop.learning.models import Booking, CatalogItem, Enrollment, ItemSkill, Session
        from learnloop.skills.scale import LevelColumn, register_level_column

        register_level_column(LevelColumn("item_targets", "item target levels", ItemSkill, "target_level"))

        track(Enrollment, version=lambda row: person_version(row.person_id))
        track(Booking, version=lambda row: person_version(row.person_id))
        for catalog_model in (CatalogItem, ItemSkill, Session):
            track(catalog_model, version=lambda _: "catalog")
        # Search answers: drafts are visible to their owners and the L&D team, so keyed by viewer.
        for route, page in (("api/v1/catalog", False), ("catalog/", True)):
            register_cached(
                CachedRoute(route, versions=("catalog", PERSON), viewer_key=by_person, seconds=300, page=page)
            )

        from learnloop.core import policy
        from learnloop.core.navigation import AdminTile, register_admin_tile
        from learnloop.learning.models import CatalogItem as Item

        register_admin_tile(
            AdminTile(
                key="catalog_new",
                title="Add to the catalog",
                url_name="learning:item_create",
                description="Courses, sessions, lunch and learns, books, stretch assignments, mentoring.",
                visible=lambda person: policy.can(person, "create", Item),
                order=20,
            )
        )
        import datetime as dt

        from learnloop.core import schedule
        from learnloop.learning.sessions import session_reminders_send

        # Every 15 minutes, so each reminder goes out about a day ahead; the dedupe key keeps it to one.
        schedule.register("learning.session_reminders", every=dt.timedelta(minutes=15), run=session_reminders_send)
