"""Statement storage, step 3 of 3: the indexes over the new keys, built once the data is rewritten."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lrs", "0005_statement_keys_data")]

    operations = [
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["actor_key", "-seq"], name="stmt_actor_idx"),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("registration__isnull", False)),
                fields=["registration", "-seq"],
                name="stmt_registration_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                condition=models.Q(("person__isnull", False)), fields=["person", "-seq"], name="stmt_person_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["client", "-seq"], name="stmt_client_idx"),
        ),
        migrations.AddIndex(
            model_name="statementagent",
            index=models.Index(fields=["agent_key", "statement"], name="stmt_agent_idx"),
        ),
    ]
