from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "learnloop.people"
    label = "people"
    verbose_name = "People and organization"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(NavItem(key="people", label="People", url_name="people:directory", order=10))
        register(NavItem(key="org_chart", label="Org chart", url_name="people:org_chart", order=11))

        from learnloop.core import policy
        from learnloop.core.navigation import AdminTile, register_admin_tile
        from learnloop.people.models import Person

        register_admin_tile(
            AdminTile(
                key="people_import",
                title="Import people",
                url_name="people:import",
                description="Load or update the organization from an HR export (CSV). "
                "All rows are checked before anything is written.",
                visible=lambda person: policy.can(person, "import", Person),
                order=1,
            )
        )
        register_admin_tile(
            AdminTile(
                key="person_new",
                title="Add a person",
                url_name="people:create",
                description="Add one person by hand, with their team, manager and location.",
                visible=lambda person: policy.can(person, "import", Person),
                order=2,
            )
        )
        register_admin_tile(
            AdminTile(
                key="people",
                title="People",
                url_name="people:directory",
                query="?include_inactive=on",
                description="Open a profile to edit it, grant roles or mark a leaver.",
                visible=lambda person: True,
                order=3,
            )
        )

        from learnloop.people import caching

        caching.connect()

        from learnloop.core import imports
        from learnloop.people.importer import people_import

        imports.register(
            imports.Importer(
                kind="people",
                label="people",
                model=Person,
                run=people_import,
                page="people:import",
                result_template="people/import_result.html",
                max_bytes=20 * imports.MB,
                options=("deactivate_missing",),
            )
        )
