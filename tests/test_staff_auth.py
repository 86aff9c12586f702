"""Staff sign-in: password + TOTP for every role, enrolment with QR, recovery codes, idle and absolute limits."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from salingsapa.accounts.models import AuthenticatorDevice as TOTPDevice
from salingsapa.accounts.models import Role
from salingsapa.accounts.services import recovery_codes_issue
from salingsapa.core.models import AuditEvent
from tests.casework_helpers import totp_code, totp_device, verified_client
from tests.personas import PASSWORD, make_user


def _password(client: Client, user, next_url: str = ""):
    url = "/staf/masuk/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_needs_the_second_factor(role, uptd):
    user = make_user(f"u-{role}", role, uptd)
    device = totp_device(user)
    client = Client()
    response = _password(client, user)
    assert response.status_code == 302 and response["Location"] == "/staf/masuk/verifikasi/"
    # the password alone does not open any staff page
    assert client.get("/staf/").status_code == 302
    assert client.get("/staf/").headers["Location"].startswith("/staf/masuk/")
    response = client.post("/staf/masuk/verifikasi/", {"token": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/staf/"
    assert client.get("/staf/").status_code == 200
    entry = AuditEvent.objects.filter(action="login", actor=user).get()
    assert entry.detail == {"factor": "totp"}


def test_first_login_enrols_totp_with_inline_qr_and_shows_recovery_codes(case_manager):
    client = Client()
    response = _password(client, case_manager)
    assert response["Location"] == "/staf/masuk/aktifkan-2fa/"
    page = client.get("/staf/masuk/aktifkan-2fa/").content.decode()
    assert 'src="data:image/png;base64,' in page and "http" not in page.split('src="data:image/png')[1][:50]
    device = TOTPDevice.objects.get(user=case_manager)
    assert not device.confirmed
    response = client.post("/staf/masuk/aktifkan-2fa/", {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 400
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/staf/masuk/aktifkan-2fa/", {"token": totp_code(device)})
    assert response["Location"] == "/staf/akun/kode-pemulihan/"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get("/staf/akun/kode-pemulihan/").content.decode()
    assert codes_page.count("<li><code>") == 10
    # shown once only
    assert "<li><code>" not in client.get("/staf/akun/kode-pemulihan/").content.decode()
    assert client.get("/staf/").status_code == 200


def test_recovery_code_works_once(case_manager):
    totp_device(case_manager)
    codes = recovery_codes_issue(user=case_manager)
    client = Client()
    _password(client, case_manager)
    response = client.post("/staf/masuk/verifikasi/", {"token": codes[0].upper()})
    assert response.status_code == 302 and client.get("/staf/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=case_manager).get().detail == {"factor": "recovery"}
    client.post("/staf/keluar/")
    assert AuditEvent.objects.filter(action="logout", actor=case_manager, detail__reason="user").exists()
    again = Client()
    _password(again, case_manager)
    response = again.post("/staf/masuk/verifikasi/", {"token": codes[0]})
    assert response.status_code == 400 and "tidak cocok" in response.content.decode()
    assert again.get("/staf/").status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="otp").exists()


def test_wrong_password_is_audited_without_the_username(case_manager):
    client = Client()
    response = client.post("/staf/masuk/", {"username": case_manager.username, "password": "salah-sekali"})
    assert response.status_code == 400 and "salah" in response.content.decode()
    entry = AuditEvent.objects.get(action="login_failed")
    assert entry.actor_label == "public" and entry.object_id == str(case_manager.pk)
    assert case_manager.username not in str(entry.detail)


def test_repeated_failures_are_throttled(case_manager):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    for _ in range(5):
        client.post("/staf/masuk/", {"username": case_manager.username, "password": "salah"})
    response = _password(client, case_manager)
    assert response.status_code == 400 and "Terlalu banyak" in response.content.decode()
    cache.clear()


def test_verified_session_without_device_is_refused(case_manager):
    client = Client()
    client.force_login(case_manager)  # a password-only session (e.g. from /admin/) is not enough
    assert client.get("/staf/kasus/").status_code == 302


def test_idle_timeout_signs_out_and_is_audited(case_manager, settings):
    client = verified_client(case_manager)
    assert client.get("/staf/").status_code == 200
    session = client.session
    session["ss_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/staf/")
    assert response.status_code == 302 and response["Location"].startswith("/staf/masuk/")
    assert AuditEvent.objects.filter(action="logout", actor=case_manager, detail__reason="idle").exists()
    assert client.get("/staf/").status_code == 302  # still signed out


def test_absolute_session_limit(case_manager, settings):
    client = verified_client(case_manager)
    client.get("/staf/")
    session = client.session
    session["ss_login_at"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    assert client.get("/staf/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", detail__reason="absolute").exists()


def test_next_is_kept_but_never_offsite(case_manager):
    device = totp_device(case_manager)
    client = Client()
    _password(client, case_manager, next_url="https://evil.example/")
    response = client.post("/staf/masuk/verifikasi/", {"token": totp_code(device)})
    assert response["Location"] == "/staf/"


def test_login_page_has_labels_and_language(db):
    page = Client().get("/staf/masuk/").content.decode()
    assert '<html lang="id">' in page and '<label for="id_username"' in page and '<main id="isi"' in page


def test_session_end_message_in_the_readers_language(case_manager, settings):
    """The sign-out notice follows the reader's language (it was Indonesian-only before)."""
    for language, expected in (("id", "Sesi Anda berakhir karena tidak ada aktivitas"),
                               ("en", "Your session ended because there was no activity")):
        client = verified_client(case_manager)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        client.get("/staf/")
        session = client.session
        session["ss_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
        session.save()
        page = client.get("/staf/", follow=True)
        assert expected in page.content.decode()


def test_second_factor_pages_need_the_password_step_first(db):
    for url in ("/staf/masuk/verifikasi/", "/staf/masuk/aktifkan-2fa/"):
        response = Client().get(url, follow=True)
        assert response.redirect_chain == [("/staf/masuk/", 302)]
        assert "Silakan masuk dengan kata sandi terlebih dahulu." in response.content.decode()


def test_enrolment_help_in_the_readers_language(case_manager, settings):
    """The code field's hint on the enrolment page follows the reader's language (it was Indonesian-only)."""
    for language, expected in (("id", "6 angka yang tampil di aplikasi autentikator."),
                               ("en", "The 6 digits shown in the authenticator app.")):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        _password(client, case_manager)
        assert expected in client.get("/staf/masuk/aktifkan-2fa/").content.decode()
