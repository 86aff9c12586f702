"""The prose column is gone: timeline entries are their kind plus parameters (0007 converted the old rows)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_caseevent_params")]

    operations = [
        # a default first, so that going back re-creates the column on a table with rows
        migrations.AlterField(model_name="caseevent", name="summary",
                              field=models.CharField(blank=True, default="", max_length=200, verbose_name="ringkasan")),
        migrations.RemoveField(model_name="caseevent", name="summary"),
    ]
