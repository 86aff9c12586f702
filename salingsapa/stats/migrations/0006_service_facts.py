"""Service facts (deadlines, referrals, deliveries: dimensions ``sla``, ``referral``, ``delivery`` and their
coarse rows) are read from the rollups since this version. Rollups built before do not hold them, and
deriving them needs the service tables' grouped queries (``stats/rollup.py``), which a migration should
not import: the rollups are turned off here instead, so every figure is read live (right, slower) until
``salingsapa stats rebuild`` (docs/operations.md, "Statistics rollups")."""

from django.db import migrations


def turn_off(apps, schema_editor):
    state = apps.get_model("stats", "RollupState")
    state.objects.filter(built_at__isnull=False).update(stale=True)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0005_coarse_facts"),
        ("cases", "0011_deadline_open_index"),
        ("network", "0005_stats_indexes"),
    ]

    operations = [
        migrations.RunPython(turn_off, migrations.RunPython.noop),
    ]
