"""Finding a record by any substring of its text: pg_trgm and a trigram GIN index (activities/search.py).

Both exist on PostgreSQL only: SQLite (the laptop demo) has neither extension nor GIN and searches the
same expression with a plain LIKE. The index is in the model's state everywhere, so makemigrations
stays quiet on both.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex that touches the database only on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_archive_jobs"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on SQLite
        AddIndexOnPostgres(
            model_name="meeting",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(
                        django.db.models.functions.text.Concat(
                            "topic",
                            models.Value("\n"),
                            "minutes",
                            models.Value("\n"),
                            "place",
                            models.Value("\n"),
                            "host",
                            models.Value("\n"),
                            "recorder",
                            models.Value("\n"),
                            "lecturer",
                            output_field=models.TextField(),
                        )
                    ),
                    name="gin_trgm_ops",
                ),
                name="meeting_search_trgm",
            ),
        ),
    ]
