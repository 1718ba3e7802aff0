from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "learnloop.skills"
    label = "skills"
    verbose_name = "Skills and role profiles"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(NavItem(key="skills", label="Skills", url_name="skills:list", order=15))
