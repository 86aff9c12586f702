# Visit.version (optimistic locking of staff edits); Booking.language and Booking.visit_changed_at (reminders
# and notices of a change in the person's language; the booking's page says the visit changed).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0001_visits_slots_bookings"),
    ]

    operations = [
        migrations.AddField("booking", "language", models.CharField(default="id", max_length=8, verbose_name="bahasa")),
        migrations.AddField("booking", "visit_changed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="jadwal diubah")),
        migrations.AddField("visit", "version", models.PositiveIntegerField(default=1)),
    ]
