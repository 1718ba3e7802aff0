from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

FTS = "learning_catalogitem_fts"
COLUMNS = "title, summary, audience, author"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in (
            f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='learning_catalogitem', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON learning_catalogitem BEGIN "
            f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.summary, new.audience, new.author); END",
            f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON learning_catalogitem BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, "
            "old.audience, old.author); END",
            f"CREATE TRIGGER {FTS}_au AFTER UPDATE ON learning_catalogitem BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, "
            f"old.audience, old.author); INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.title, "
            "new.summary, new.audience, new.author); END",
            f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
        ):
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        from learnloop.learning.search import search_vector

        CatalogItem = apps.get_model("learning", "CatalogItem")
        schema_editor.add_index(CatalogItem, GinIndex(search_vector(), name="catalog_search_idx"))


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for suffix in ("_ai", "_ad", "_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_search_idx")


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
