from django.apps import AppConfig


class LearningTimeConfig(AppConfig):
    name = "learnloop.learningtime"
    label = "learningtime"
    verbose_name = "Learning time"

    def ready(self) -> None:
        from learnloop.core import home
        from learnloop.core.navigation import NavItem, manages_people, register
        from learnloop.learningtime.selectors import home_panel

        register(
            NavItem(key="learning_time", label="Learning time", url_name="learningtime:mine", order=16, group="growth")
        )
        register(
            NavItem(
                key="team_learning_time",
                label="Team learning time",
                url_name="learningtime:team",
                visible=manages_people,
                order=16,
                group="team",
            )
        )
        home.register(
            home.HomePanel(
                key="learning_time",
                template="learningtime/home_panel.html",
                context=home_panel,
                order=30,
                versions=("learningtime", "catalog"),
            )
        )
        from learnloop.core.response_cache import person_version, track
        from learnloop.learningtime.models import CalendarFeed, LearningBlock, PersonBudget, TeamBudget

        for model in (PersonBudget, LearningBlock, CalendarFeed):
            track(model, version=lambda row: person_version(row.person_id))
        # A manager's team default changes every report's budget: rare, so it retires every page.
        track(TeamBudget, version=lambda _: "learningtime")
