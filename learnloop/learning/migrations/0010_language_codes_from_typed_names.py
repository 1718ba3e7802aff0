"""Languages were typed as free text before there was a list. Each value that names a language ("English",
"Deutsch", "EN", "pt_BR") becomes its ISO 639-1 code; any other value is left exactly as it was, so no data
is lost: the item's edit form shows it and asks for the language it means."""

from typing import Any

from django.db import migrations

from learnloop.learning.languages import language_code


def to_codes(apps: Any, schema_editor: Any) -> None:
    CatalogItem = apps.get_model("learning", "CatalogItem")
    values = CatalogItem.objects.order_by().values_list("language", flat=True).distinct()
    for value in list(values):
        code = language_code(value)
        if code is not None and code != value:
            CatalogItem.objects.filter(language=value).update(language=code)


class Migration(migrations.Migration):
    dependencies = [("learning", "0009_enrollment_stretch_reflection")]

    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]
