from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "learnloop.skills"
    label = "skills"
    verbose_name = "Skills and role profiles"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(NavItem(key="skills", label="Skills", url_name="skills:list", order=15))

        from learnloop.core.response_cache import person_version, track
        from learnloop.skills.models import CareerPath, ProficiencyLevel, RoleRequirement, Skill, SkillAssessment

        track(SkillAssessment, version=lambda row: person_version(row.person_id))
        for model in (Skill, RoleRequirement, ProficiencyLevel, CareerPath):
            track(model, version=lambda _: "skills")
