"""Statement storage, step 1 of 3: agent keys instead of identifier pairs, slimmer side tables.

The old indexes go first so the data migration (0005) rewrites rows without maintaining them; 0006
builds the new ones once the data is in place.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0003_refs_partial_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="statement", name="stmt_actor_idx"),
        migrations.RemoveIndex(model_name="statement", name="stmt_registration_idx"),
        migrations.RemoveIndex(model_name="statement", name="stmt_person_idx"),
        migrations.RemoveIndex(model_name="statementagent", name="stmt_agent_idx"),
        migrations.RenameField(model_name="statement", old_name="actor_ifi", new_name="actor_key"),
        migrations.RenameField(model_name="statementagent", old_name="agent_ifi", new_name="agent_key"),
        migrations.RemoveField(model_name="statementagent", name="is_actor"),
        migrations.RemoveField(model_name="statementactivity", name="is_object"),
        migrations.AlterField(
            model_name="statement",
            name="client",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="statements",
                to="lrs.client",
            ),
        ),
        migrations.AlterField(
            model_name="statement",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
