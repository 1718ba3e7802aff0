from django.apps import AppConfig


class LearningTimeConfig(AppConfig):
    name = "learnloop.learningtime"
    label = "learningtime"
    verbose_name = "Learning time"

    def ready(self) -> None:
        from learnloop.core import home
        from learnloop.core.navigation import NavItem, register
        from learnloop.learningtime.selectors import home_panel

        register(NavItem(key="learning_time", label="Learning time", url_name="learningtime:mine", order=14))
        home.register(
            home.HomePanel(key="learning_time", template="learningtime/home_panel.html", context=home_panel, order=30)
        )
