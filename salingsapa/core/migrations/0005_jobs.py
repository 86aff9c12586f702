from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_head_mac")]
    operations = [
        migrations.CreateModel(
            name="JobSchedule",
            fields=[
                ("name", models.CharField(max_length=60, primary_key=True, serialize=False)),
                ("next_run_at", models.DateTimeField()),
                ("last_enqueued_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="WorkerBeat",
            fields=[
                ("worker_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("pid", models.PositiveIntegerField(default=0)),
                ("started_at", models.DateTimeField()),
                ("beat_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
