"""Coarse rollup rows: the case-side facts summed over kelurahan (dimension name + "*"), which reads
without an area filter use since this version. Installations whose rollups were built before get them
from their fine rows here, so no read finds them missing (stats/rollup.py, docs/performance.md)."""

from django.db import migrations

CASE_DIMENSIONS = ["cases", "channel", "open", "victims", "child_victims", "sex", "age_group", "age_sex",
                   "violence_form", "tpks_form", "factor", "place", "relationship", "met_via", "met_via_platform",
                   "closure"]


def add_coarse(apps, schema_editor):
    fact = apps.get_model("stats", "StatsFact")
    table = schema_editor.quote_name(fact._meta.db_table)
    placeholders = ", ".join(["%s"] * len(CASE_DIMENSIONS))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE dimension LIKE %s", ["%*"])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (month, organisation_id, kelurahan_id, dimension, category, n, total) "  # noqa: S608
            f"SELECT month, organisation_id, NULL, dimension || %s, category, SUM(n), SUM(total) FROM {table} "
            f"WHERE dimension IN ({placeholders}) GROUP BY month, organisation_id, dimension, category",
            ["*", *CASE_DIMENSIONS])


def drop_coarse(apps, schema_editor):
    fact = apps.get_model("stats", "StatsFact")
    fact.objects.filter(dimension__endswith="*").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0004_rollups"),
    ]

    operations = [migrations.RunPython(add_coarse, drop_coarse)]
