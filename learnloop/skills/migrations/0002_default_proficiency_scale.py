from django.db import migrations

# The default scale. Each descriptor says what someone at that level does, so self, peer and manager
# ratings can be tied to behaviour rather than to impressions. Admins may rename or rewrite them.
DEFAULT_SCALE = [
    (1, "Aware", "Knows what the skill is for and when it matters; needs step-by-step guidance to apply it."),
    (2, "Developing", "Applies it to routine tasks with help; recognises when to ask for advice."),
    (3, "Proficient", "Applies it independently in everyday work and handles the usual exceptions."),
    (4, "Advanced", "Handles complex or novel situations, reviews others' work and coaches them."),
    (5, "Expert", "Shapes how the organization practises it; is sought out across teams and beyond."),
]


def add_scale(apps, schema_editor):
    ProficiencyLevel = apps.get_model("skills", "ProficiencyLevel")
    for level, name, descriptor in DEFAULT_SCALE:
        ProficiencyLevel.objects.get_or_create(level=level, defaults={"name": name, "descriptor": descriptor})


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]
    operations = [migrations.RunPython(add_scale, migrations.RunPython.noop)]
