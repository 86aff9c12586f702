"""Issue 9 finding 1: the Django admin is behind the same door as the staff app.

Second factor, the same lockout and audit entries as staff sign-in, sealed/hashed second-factor
secrets (checked with raw SQL), audited and alerted account changes, and self-enrolment only.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from salingsapa.accounts.models import AuthenticatorDevice, Role, User
from salingsapa.accounts.services import recovery_codes_issue, second_factor_reset
from salingsapa.cases.models import Alert
from salingsapa.cases.services import account_security_alert
from salingsapa.core.models import AuditEvent, Code
from tests.casework_helpers import totp_code, totp_device, verified_client
from tests.personas import PASSWORD, make_user


@pytest.fixture
def administrator(db, uptd) -> User:
    return make_user("admin-uji", Role.ADMIN, uptd, is_staff=True, is_superuser=True)


def _admin_signed_in(administrator) -> Client:
    device = totp_device(administrator)
    client = Client()
    response = client.post("/staf/masuk/?next=/admin/", {"username": administrator.username, "password": PASSWORD})
    assert response["Location"] == "/staf/masuk/verifikasi/"
    response = client.post("/staf/masuk/verifikasi/", {"token": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def test_admin_has_no_password_only_sign_in(administrator):
    client = Client()
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/staf/masuk/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # a password posted to the admin's old form signs nobody in
    response = client.post("/admin/login/", {"username": administrator.username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_password_only_session_does_not_open_the_admin(administrator):
    client = Client()
    client.force_login(administrator)  # password verified, no second factor
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_admin_signs_in_with_password_and_second_factor_audited(administrator):
    client = _admin_signed_in(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=administrator, detail={"factor": "totp"}).exists()
    client.post("/admin/logout/")
    assert AuditEvent.objects.filter(action="logout", actor=administrator, detail__via="admin").exists()
    assert client.get("/admin/").status_code == 302


def test_admin_wrong_passwords_are_locked_out_and_audited(administrator):
    client = Client()
    for _ in range(5):
        response = client.post("/staf/masuk/?next=/admin/", {"username": administrator.username, "password": "salah"})
        assert response.status_code == 400
    response = client.post("/staf/masuk/?next=/admin/", {"username": administrator.username, "password": PASSWORD})
    assert response.status_code == 400 and "Terlalu banyak" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="password",
                                     object_id=str(administrator.pk)).count() == 5
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="throttled").count() == 1


def test_second_factor_devices_are_not_in_the_admin(administrator):
    client = verified_client(administrator)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/").content.decode()
    assert "otp_totp" not in page and "authenticatordevice" not in page and "recoverycode" not in page
    for url in ("/admin/accounts/authenticatordevice/", "/admin/accounts/recoverycodedevice/",
                "/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(url).status_code == 404, url


def test_no_plain_totp_secret_or_recovery_code_in_the_database(case_manager):
    device = totp_device(case_manager)
    secret_hex = device.secret
    codes = recovery_codes_issue(user=case_manager)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT code_hash FROM accounts_recoverycode")
        hashes = [row[0] for row in cursor.fetchall()]
        tables = connection.introspection.table_names(cursor)
    assert stored.startswith("s1:") and secret_hex not in stored
    assert len(hashes) == 10
    normalised = {c.replace("-", "") for c in codes} | set(codes)
    assert not normalised & set(hashes) and not any(c in h for c in normalised for h in hashes)
    # salted: the same code for two users (or twice) never gives the same stored value
    assert len(set(hashes)) == 10 and all(h.count("$") >= 2 for h in hashes)
    assert "otp_totp_totpdevice" not in tables and "otp_static_statictoken" not in tables
    # the hashed code still signs in once
    client = Client()
    client.post("/staf/masuk/", {"username": case_manager.username, "password": PASSWORD})
    assert client.post("/staf/masuk/verifikasi/", {"token": codes[3]}).status_code == 302


def test_admin_creating_a_caseworker_is_audited_and_alerted(administrator, supervisor):
    client = _admin_signed_in(administrator)
    response = client.post("/admin/accounts/user/add/", {
        "username": "manajer-baru", "password1": "kata-sandi-baru-123", "password2": "kata-sandi-baru-123",
        "usable_password": "true", "role": Role.CASE_MANAGER, "organisation": supervisor.organisation_id,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    new = User.objects.get(username="manajer-baru")
    entry = AuditEvent.objects.get(action="create", object_type="user", object_id=str(new.pk))
    assert entry.actor == administrator and entry.detail["via"] == "admin"
    assert "role" in entry.detail["fields"] and "password" in entry.detail["fields"]
    assert "kata-sandi" not in str(entry.detail)
    alert = Alert.objects.get(recipient=supervisor, kind=Alert.Kind.SECURITY)
    assert "manajer-baru" in alert.message and administrator.username in alert.message
    # the new account has no second factor: its first sign-in enrols the user's own app
    assert not AuthenticatorDevice.objects.filter(user=new).exists()
    fresh = Client()
    response = fresh.post("/staf/masuk/", {"username": "manajer-baru", "password": "kata-sandi-baru-123"})
    assert response["Location"] == "/staf/masuk/aktifkan-2fa/"
    assert fresh.get("/staf/masuk/aktifkan-2fa/").status_code == 200  # QR shown to the user only
    device = AuthenticatorDevice.objects.get(user=new)
    assert fresh.post("/staf/masuk/aktifkan-2fa/", {"token": totp_code(device)}).status_code == 302
    # enrolling the second factor is itself told to the supervisor
    assert Alert.objects.filter(recipient=supervisor, kind=Alert.Kind.SECURITY,
                                message__contains="didaftarkan").exists()


def test_admin_changing_role_or_password_is_audited_and_alerted(administrator, supervisor, intake_officer):
    client = _admin_signed_in(administrator)
    page = client.get(f"/admin/accounts/user/{intake_officer.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"role": Role.CASE_MANAGER, "date_joined_0": "2025-01-01", "date_joined_1": "08:00:00"})
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data["groups"] = []
    data["user_permissions"] = []
    response = client.post(f"/admin/accounts/user/{intake_officer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEvent.objects.filter(action="update", object_type="user", object_id=str(intake_officer.pk),
                                      detail__via="admin").latest("id")
    assert "role" in entry.detail["fields"]
    assert Alert.objects.filter(recipient=supervisor, kind=Alert.Kind.SECURITY, message__contains="(role)").exists()

    response = client.post(f"/admin/accounts/user/{intake_officer.pk}/password/",
                           {"password1": "sandi-baru-yang-panjang", "password2": "sandi-baru-yang-panjang",
                            "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEvent.objects.filter(object_id=str(intake_officer.pk), detail__via="admin").latest("id")
    assert entry.detail["fields"] == ["password"]
    assert Alert.objects.filter(recipient=supervisor, message__contains="(password)").exists()


def test_every_admin_change_is_in_the_audit_chain(administrator):
    client = _admin_signed_in(administrator)
    code = Code.objects.filter(active=True).first()
    response = client.post("/admin/core/code/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(code.pk), "form-0-active": "",
        "_save": "Simpan",
    }, follow=False)
    assert response.status_code == 302
    code.refresh_from_db()
    assert not code.active
    assert AuditEvent.objects.filter(action="update", object_type="core.code", object_id=str(code.pk),
                                     actor=administrator).exists()


def test_admin_resets_a_second_factor_user_enrols_again(administrator, supervisor, case_manager):
    device = totp_device(case_manager)
    recovery_codes_issue(user=case_manager)
    victim_session = verified_client(case_manager)
    assert victim_session.get("/staf/").status_code == 200
    client = _admin_signed_in(administrator)
    response = client.post("/admin/accounts/user/", {"action": "reset_second_factor",
                                                      "_selected_action": [case_manager.pk]})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(actor=administrator, detail__event="second_factor_reset",
                                     object_id=str(case_manager.pk)).exists()
    assert Alert.objects.filter(recipient=supervisor, message__contains="diatur ulang").exists()
    # the session verified with the removed device is no longer verified
    assert victim_session.get("/staf/").status_code == 302
    fresh = Client()
    response = fresh.post("/staf/masuk/", {"username": case_manager.username, "password": PASSWORD})
    assert response["Location"] == "/staf/masuk/aktifkan-2fa/"


def test_supervisor_resets_a_colleagues_second_factor(supervisor, case_manager, partner_psychologist):
    totp_device(case_manager)
    client = verified_client(supervisor)
    page = client.get("/staf/akun/atur-ulang-2fa/")
    assert page.status_code == 200
    assert (case_manager.get_full_name() or case_manager.username) in page.content.decode()
    assert partner_psychologist.username not in page.content.decode()  # other organisations are not listed
    assert client.post("/staf/akun/atur-ulang-2fa/", {"user": case_manager.pk, "reason": ""}).status_code == 400
    response = client.post("/staf/akun/atur-ulang-2fa/", {"user": case_manager.pk, "reason": "ponsel hilang"})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=case_manager).exists()
    entry = AuditEvent.objects.get(detail__event="second_factor_reset")
    assert entry.actor == supervisor and "ponsel" not in str(entry.detail)
    # only colleagues of the supervisor's own organisation
    totp_device(partner_psychologist)
    response = client.post("/staf/akun/atur-ulang-2fa/", {"user": partner_psychologist.pk, "reason": "x"})
    assert response.status_code == 403
    assert AuthenticatorDevice.objects.filter(user=partner_psychologist).exists()
    # other roles cannot reset
    assert verified_client(case_manager).get("/staf/akun/atur-ulang-2fa/").status_code in {302, 403}


def test_service_reset_counts_devices(case_manager):
    totp_device(case_manager)
    recovery_codes_issue(user=case_manager)
    assert second_factor_reset(actor="system:test", user=case_manager) == 2


def test_plain_django_otp_rows_are_moved_sealed_and_deleted(case_manager):
    """An installation that ran with django-otp's plain tables: the migration seals/hashes and empties them."""
    import importlib

    from django.apps import apps

    from salingsapa.accounts.models import RecoveryCodeDevice

    migration = importlib.import_module("salingsapa.accounts.migrations.0005_second_factor_from_plain_tables")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, name varchar(64), "
                       "confirmed boolean, key varchar(80), step integer, t0 bigint, digits integer, "
                       "tolerance integer, drift integer, last_t bigint)")
        cursor.execute("CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer, "
                       "name varchar(64), confirmed boolean)")
        cursor.execute("CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, "
                       "token varchar(16))")
        cursor.execute("INSERT INTO otp_totp_totpdevice VALUES (1, %s, 'App', %s, %s, 30, 0, 6, 1, 0, -1)",
                       [case_manager.pk, True, "ab" * 20])
        cursor.execute("INSERT INTO otp_static_staticdevice VALUES (1, %s, 'Kode', %s)", [case_manager.pk, True])
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (1, 1, 'abcdefgh'), (2, 1, 'ijklmnop')")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.forwards(apps, editor)

    device = AuthenticatorDevice.objects.get(user=case_manager)
    assert device.secret == "ab" * 20 and device.confirmed
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_authenticatordevice")
        assert "ab" * 20 not in cursor.fetchone()[0]
        for table in ("otp_totp_totpdevice", "otp_static_statictoken", "otp_static_staticdevice"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == 0, table
    recovery = RecoveryCodeDevice.objects.get(user=case_manager)
    assert recovery.remaining() == 2
    assert recovery.verify_token("ijklmnop") and recovery.remaining() == 1


def test_admin_changing_their_own_password_is_audited_and_alerted(administrator, supervisor):
    client = _admin_signed_in(administrator)
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "sandi-baru-yang-panjang-1", "new_password2": "sandi-baru-yang-panjang-1",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEvent.objects.filter(object_type="user", object_id=str(administrator.pk), detail__via="admin").latest("id")
    assert entry.actor == administrator and entry.detail["fields"] == ["password"]
    assert Alert.objects.filter(recipient=supervisor, message__contains="(password)").exists()


def test_security_alerts_read_in_the_readers_language(supervisor, intake_officer, administrator):
    """Stored in Bahasa Indonesia like every alert; shown in English to an English reader (cases.alert_text)."""
    account_security_alert(subject=intake_officer, actor=administrator, kind="account_changed", fields=["role"])
    account_security_alert(subject=intake_officer, actor=None, kind="second_factor_reset", fields=[])
    alerts = Alert.objects.filter(recipient=supervisor, kind=Alert.Kind.SECURITY).order_by("pk")
    assert [a.message for a in alerts] == [
        "Keamanan akun: akun diubah — akun petugas, oleh admin-uji (role).",
        "Keamanan akun: verifikasi dua langkah diatur ulang — akun petugas, oleh sistem.",
    ]
    with translation.override("en"):
        assert [a.text for a in alerts] == [
            "Account security: account changed — account petugas, by admin-uji (role).",
            "Account security: two-step verification reset — account petugas, by system.",
        ]
