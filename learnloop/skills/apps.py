from typing import Any

from django.apps import AppConfig


def _assessment_versions(row: Any) -> list[str | None]:
    """A rating changes the rated person's own pages and their manager's team matrix."""
    from learnloop.core.response_cache import person_version
    from learnloop.people.models import Person

    manager_id = Person.objects.filter(pk=row.person_id).values_list("manager_id", flat=True).first()
    return [person_version(row.person_id), f"team:{manager_id}" if manager_id else None]


class SkillsConfig(AppConfig):
    name = "learnloop.skills"
    label = "skills"
    verbose_name = "Skills and role profiles"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, manages_people, register

        # "My skills" first; the taxonomy is one link away from there (and in the admin area for L&D).
        register(NavItem(key="skills", label="Skills", url_name="skills:mine", order=15, group="growth"))

        from learnloop.core import home
        from learnloop.skills.selectors import home_panel

        # First on my home: where the person stands against their role (their own ratings are "person:{person}").
        home.register(
            home.HomePanel(
                key="skills", template="skills/home_panel.html", context=home_panel, order=10, versions=("skills",)
            )
        )
        register(
            NavItem(
                key="team_skills",
                label="Team skills",
                url_name="skills:team",
                visible=manages_people,
                order=15,
                group="team",
            )
        )

        from learnloop.core.response_cache import DIRECTORY, CachedRoute, by_person, track
        from learnloop.core.response_cache import register as register_cached
        from learnloop.skills.models import (
            CareerPath,
            ProficiencyLevel,
            RoleRequirement,
            Skill,
            SkillAssessment,
            SkillCategory,
        )
        from learnloop.skills.scale import LevelColumn, register_level_column

        # Levels stored as numbers on the proficiency scale; a resize moves them all (scale.py).
        register_level_column(LevelColumn("ratings", "ratings", SkillAssessment, "level"))
        register_level_column(LevelColumn("requirements", "role requirements", RoleRequirement, "level"))

        track(SkillAssessment, version=_assessment_versions)
        for model in (RoleRequirement, ProficiencyLevel, CareerPath, SkillCategory):
            track(model, version=lambda _: "skills")
        # Catalog answers show the names of the skills items teach and offer active skills as a filter.
        track(Skill, version=lambda _: ["skills", "catalog"])
        # A manager's team matrix: the directory (who reports to them), the framework, their team's ratings.
        register_cached(
            CachedRoute(
                "skills/team/",
                versions=(DIRECTORY, "skills", "team:{person}"),
                viewer_key=by_person,
                seconds=300,
                page=True,
            )
        )

        from learnloop.core import imports, policy
        from learnloop.core.navigation import AdminTile, register_admin_tile
        from learnloop.skills.importer import skills_import

        imports.register(
            imports.Importer(
                kind="skills",
                label="skills taxonomy",
                model=Skill,
                run=skills_import,
                page="skills:import",
                result_template="skills/import_result.html",
                max_bytes=50 * imports.MB,
            )
        )

        register_admin_tile(
            AdminTile(
                key="skills_import",
                title="Import skills",
                url_name="skills:import",
                description=(
                    "Load a skills taxonomy from ESCO's skills file or a simple CSV; every row is checked first."
                ),
                visible=lambda person: policy.can(person, "import", Skill),
                order=30,
            )
        )
        register_admin_tile(
            AdminTile(
                key="skills_taxonomy",
                title="Skills taxonomy",
                url_name="skills:list",
                description="Every skill learnloop knows, by category, with the roles that need it.",
                visible=lambda person: policy.can(person, "create", Skill),
                order=28,
            )
        )
        register_admin_tile(
            AdminTile(
                key="skills_edit",
                title="Skills and categories",
                url_name="skills:categories",
                description="Add a skill, rename it, give it other names and a category, or retire it.",
                visible=lambda person: policy.can(person, "change", SkillCategory),
                order=29,
            )
        )
        register_admin_tile(
            AdminTile(
                key="role_profiles",
                title="Role profiles",
                url_name="skills:roles",
                description="The skills and levels each job role needs, and the career paths between roles.",
                visible=lambda person: policy.can(person, "change", RoleRequirement),
                order=31,
            )
        )
