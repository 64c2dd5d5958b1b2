"""Encrypts the ID numbers stored in plain before 0002, and fills their keyed hashes.

Works on the raw columns (the model field would try to decrypt the plain values it reads), in
batches, and skips values already encrypted, so it can be run again after an interruption. Reversed,
it decrypts them back (the key must still be configured) and clears the hashes.
"""

from django.db import migrations

PURPOSE = "members.Member.id_number"
BATCH = 2000


def _rewrite(apps, schema_editor, model_names, convert):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name in model_names:
        model = apps.get_model("members", model_name)
        table = quote(model._meta.db_table)
        has_hash = any(f.name == "id_number_hash" for f in model._meta.concrete_fields)
        pk = quote(model._meta.pk.column)
        last = None
        while True:
            with connection.cursor() as cursor:
                where = f"WHERE {pk} > %s" if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, id_number FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
                    [last, BATCH] if last is not None else [BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = [(*convert(value), key) for key, value in rows if value]
                updates = [row for row in updates if row[0] is not None]
                if not updates:
                    continue
                if has_hash:
                    cursor.executemany(
                        f"UPDATE {table} SET id_number = %s, id_number_hash = %s WHERE {pk} = %s",  # noqa: S608
                        updates,
                    )
                else:
                    cursor.executemany(
                        f"UPDATE {table} SET id_number = %s WHERE {pk} = %s",  # noqa: S608
                        [(value, key) for value, _, key in updates],
                    )


def encrypt(apps, schema_editor):
    from security.crypto import keyring

    ring = keyring()

    def convert(value):
        if ring.key_of(value) is not None:
            return None, None  # already encrypted (a re-run)
        plain = value.strip().upper()
        return ring.encrypt(plain, PURPOSE), ring.blind_index(plain, PURPOSE)

    _rewrite(apps, schema_editor, ["Member", "HistoricalMember"], convert)


def decrypt(apps, schema_editor):
    from security.crypto import keyring

    ring = keyring()

    def convert(value):
        if ring.key_of(value) is None:
            return None, None  # still plain
        return ring.decrypt(value, PURPOSE), None

    _rewrite(apps, schema_editor, ["Member", "HistoricalMember"], convert)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_encrypted_id_number")]

    operations = [migrations.RunPython(encrypt, decrypt)]
