from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "learnloop.people"
    label = "people"
    verbose_name = "People and organization"

    def ready(self) -> None:
        from learnloop.core.navigation import NavItem, register

        register(NavItem(key="people", label="People", url_name="people:directory", order=10))
        register(NavItem(key="org_chart", label="Org chart", url_name="people:org_chart", order=11))

        from learnloop.people import caching

        caching.connect()

        from learnloop.core import imports
        from learnloop.people.importer import people_import
        from learnloop.people.models import Person

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
