"""Quick exit without trace, neutral titles, error pages and accessible errors on the public pages
(issue 10, items 4 and 12). The browser half is in tests/e2e/test_quick_exit_browser.py."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import get_resolver

from tests.reporting import fill_steps, submit

# Words that tell a reader of the browser history what the site is for.
TELLTALE = re.compile(r"lapor|kekerasan|korban|pelaku|darurat|bahaya|rahasia|saling sapa|pengaduan|perempuan|"
                      r"anak|report|violence|victim|emergency|abuse|danger", re.I)


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, html[:500]
    return match.group(1)


PUBLIC_PAGES = ["/", "/lapor/", "/lapor/darurat/", "/lapor/pelapor/", "/lapor/bahaya/", "/lapor/kejadian/",
                "/lapor/korban/", "/lapor/lokasi/", "/lapor/waktu/", "/lapor/pelaku/", "/lapor/kontak/",
                "/lapor/bukti/", "/lapor/ringkasan/", "/lapor/cek/", "/layanan/", "/statistik/", "/tidak-ada/"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_public_page_has_a_neutral_title_and_the_quick_exit_first(client, language):
    client.cookies.load({"django_language": language})
    fill_steps(client)
    for url in PUBLIC_PAGES:
        response = client.get(url, follow=True)
        html = response.content.decode()
        title = title_of(html)
        assert not TELLTALE.search(title), (url, title)
        body = html.split("<body>", 1)[1]
        first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
        assert 'id="quick-exit"' in first, (url, first)
        assert response["Cache-Control"].startswith("no-store"), url
    submit(client)
    html = client.get("/lapor/selesai/").content.decode()
    assert not TELLTALE.search(title_of(html))


@pytest.mark.django_db
def test_public_forms_do_not_let_the_browser_restore_answers(client):
    for url in ["/lapor/pelapor/", "/lapor/kejadian/", "/lapor/kontak/", "/lapor/bukti/", "/lapor/cek/"]:
        html = client.get(url).content.decode()
        forms = re.findall(r"<form\b[^>]*>", html)
        assert forms and all('autocomplete="off"' in f for f in forms), (url, forms)


@pytest.mark.django_db
def test_leave_forgets_the_sealed_draft_even_without_javascript(client):
    fill_steps(client)
    assert "Tetangga memukul" in client.get("/lapor/kejadian/").content.decode()
    client.get("/keluar/")
    assert "Tetangga memukul" not in client.get("/lapor/kejadian/").content.decode()


@pytest.mark.django_db
def test_scripted_form_posts_get_the_next_address_instead_of_a_redirect(client):
    response = client.post("/lapor/pelapor/", {"reporter_role": "victim"}, HTTP_X_REPLACE_HISTORY="1")
    assert response.status_code == 200 and response["X-Redirect-To"] == "/lapor/bahaya/"
    assert not response.has_header("Location")
    plain = client.post("/lapor/pelapor/", {"reporter_role": "victim"})
    assert plain.status_code == 303 and plain["Location"] == "/lapor/bahaya/"


@pytest.mark.django_db
def test_failed_submit_error_summary_links_focus_the_control_and_groups_are_described(client):
    html = client.post("/lapor/pelapor/", {}).content.decode()
    assert re.search(r'<div class="error-summary"[^>]*tabindex="-1"[^>]*id="kesalahan"[^>]*autofocus', html)
    assert 'href="#id_reporter_role_0"' in html and 'id="id_reporter_role_0"' in html
    assert re.search(r'<fieldset[^>]*aria-describedby="id_reporter_role_error"', html)
    html = client.post("/lapor/kejadian/", {"narrative": ""}).content.decode()
    assert 'href="#id_narrative"' in html and 'href="#id_violence_forms_0"' in html
    assert re.search(r'<textarea[^>]*aria-describedby="id_narrative_error"', html)
    assert re.search(r'<textarea[^>]*aria-invalid="true"', html)
    assert re.search(r'<fieldset[^>]*aria-describedby="id_violence_forms_error"', html)


@pytest.mark.django_db
def test_checkbox_comes_before_its_own_label(client):
    html = client.get("/lapor/kontak/").content.decode()
    assert re.search(r'<input type="checkbox" name="consent_contact"[^>]*id="id_consent_contact"[^>]*>\s*'
                     r'<label for="id_consent_contact">', html)


# --- error pages --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_404_is_a_public_page_with_the_quick_exit(client, settings, language):
    settings.DEBUG = False
    client.cookies.load({"django_language": language})
    response = client.get("/tidak-ada-halaman-ini/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="quick-exit"' in html and 'name="viewport"' in html
    assert f'lang="{language}"' in html
    assert "Not Found" not in html
    expected = "Halaman tidak ditemukan" if language == "id" else "Page not found"
    assert expected in html
    assert response["Cache-Control"].startswith("no-store")


@pytest.mark.django_db
def test_staff_404_uses_the_staff_style(client, settings):
    settings.DEBUG = False
    response = client.get("/staf/tidak-ada/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "staff/staff.css" in html and "Halaman tidak ditemukan" in html


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 403, 500])
def test_other_error_handlers_render_public_pages(status, settings):
    settings.DEBUG = False
    handler = get_resolver().resolve_error_handler(status)
    request = RequestFactory().get("/lapor/x/")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    response = handler(request) if status == 500 else handler(request, exception=Exception())
    html = response.content.decode()
    assert response.status_code == status
    assert 'id="quick-exit"' in html and 'lang="id"' in html and 'name="viewport"' in html


def test_500_page_answers_even_when_templates_fail(monkeypatch, settings):
    settings.DEBUG = False
    from salingsapa.public import views

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(views, "render", broken)
    response = views.error_500(RequestFactory().get("/"))
    assert response.status_code == 500 and 'id="quick-exit"' in response.content.decode()


@pytest.mark.django_db
def test_leave_also_deletes_the_drafts_sealed_files(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from salingsapa.intake.models import PendingUpload
    from tests.test_evidence import jpeg_with_gps

    photo = SimpleUploadedFile("bukti.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/lapor/bukti/", {"files": [photo], "lanjut": "0"})
    assert response.status_code == 303
    assert PendingUpload.objects.count() == 1
    client.post("/keluar/?beacon=1")
    assert PendingUpload.objects.count() == 0
