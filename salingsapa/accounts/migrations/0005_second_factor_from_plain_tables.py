"""Move second factors out of django-otp's plain-text tables (issue 9 finding 6).

Installations that ran with ``django_otp.plugins.otp_totp`` / ``otp_static`` keep working: each
TOTP secret is sealed into ``AuthenticatorDevice`` and each unused recovery code is stored as a
keyed hash in ``RecoveryCode``; then the plain rows are deleted. Those apps are no longer
installed, so their tables are read with SQL when they exist (a new installation has none).
"""

from __future__ import annotations

from django.db import migrations

from salingsapa.accounts.models import recovery_code_hash

TOTP_TABLE = "otp_totp_totpdevice"
STATIC_DEVICE_TABLE = "otp_static_staticdevice"
STATIC_TOKEN_TABLE = "otp_static_statictoken"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    Authenticator = apps.get_model("accounts", "AuthenticatorDevice")
    RecoveryDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    with connection.cursor() as cursor:
        if TOTP_TABLE in tables:
            cursor.execute(f"SELECT user_id, name, confirmed, key, step, t0, digits, tolerance, drift, last_t "  # noqa: S608
                           f"FROM {TOTP_TABLE}")
            for user_id, name, confirmed, key, step, t0, digits, tolerance, drift, last_t in cursor.fetchall():
                Authenticator.objects.create(user_id=user_id, name=name, confirmed=bool(confirmed), secret=key,
                                             step=step, t0=t0, digits=digits, tolerance=tolerance, drift=drift,
                                             last_t=last_t)
            cursor.execute(f"DELETE FROM {TOTP_TABLE}")  # noqa: S608
        if STATIC_DEVICE_TABLE in tables and STATIC_TOKEN_TABLE in tables:
            cursor.execute(f"SELECT d.user_id, t.token FROM {STATIC_TOKEN_TABLE} t "  # noqa: S608
                           f"JOIN {STATIC_DEVICE_TABLE} d ON d.id = t.device_id WHERE d.confirmed")
            by_user: dict[int, list[str]] = {}
            for user_id, token in cursor.fetchall():
                by_user.setdefault(user_id, []).append(token)
            for user_id, tokens in by_user.items():
                device = RecoveryDevice.objects.create(user_id=user_id, name="Kode pemulihan", confirmed=True)
                RecoveryCode.objects.bulk_create(
                    [RecoveryCode(device=device, code_hash=recovery_code_hash(user_id, t)) for t in tokens])
            cursor.execute(f"DELETE FROM {STATIC_TOKEN_TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {STATIC_DEVICE_TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_second_factor_sealed")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
