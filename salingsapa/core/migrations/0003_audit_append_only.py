"""Make the audit log append-only at the database level (see core/dbguard.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from salingsapa.core import dbguard

    dbguard.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from salingsapa.core import dbguard

    dbguard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, backwards)]
