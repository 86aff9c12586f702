from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0005_jobs")]
    operations = [
        migrations.CreateModel(
            name="RetentionMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20)),
                ("object_id", models.CharField(max_length=64)),
                ("rule", models.CharField(max_length=40)),
                ("applied_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="retention_mark_unique")],
            },
        ),
    ]
