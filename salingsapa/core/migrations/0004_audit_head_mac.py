"""The audit head carries a keyed MAC of (count, last_hash); existing heads get theirs now."""

from django.db import migrations, models


def seal_head(apps, schema_editor):
    from salingsapa.core import crypto

    AuditHead = apps.get_model("core", "AuditHead")
    for head in AuditHead.objects.all():
        AuditHead.objects.filter(pk=head.pk).update(mac=crypto.head_mac(head.count, head.last_hash))


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]
    operations = [
        migrations.AddField(
            model_name="audithead", name="mac", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.RunPython(seal_head, migrations.RunPython.noop),
    ]
