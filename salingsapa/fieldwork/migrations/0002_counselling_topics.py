from django.db import migrations


def load(apps, schema_editor):
    from salingsapa.core.codelists import load_code_lists

    load_code_lists(apps.get_model("core", "Code"))


class Migration(migrations.Migration):
    """The ``counselling_topic`` code list (topics of a general consultation) into the reference data."""

    dependencies = [("fieldwork", "0001_initial"), ("core", "0002_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
