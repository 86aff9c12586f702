"""Education content: draft → review → published by a second person (audited), HTML sanitised with nh3,
images stripped of metadata, light public pages with the quick exit, listed on the home page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from salingsapa.awareness import files, services
from salingsapa.awareness.models import Article, AwarenessEvent
from salingsapa.awareness.sanitize import clean_html
from salingsapa.core.models import AuditEvent
from salingsapa.demo.awareness import seed_awareness
from tests.casework_helpers import verified_client
from tests.test_evidence import jpeg_with_gps

pytestmark = pytest.mark.django_db


def article_data(**over):
    data = {"slug": "hak-korban", "title_id": "Hak korban", "summary_id": "Ringkas", "body_id": "<p>Isi artikel</p>",
            "title_en": "", "summary_en": "", "body_en": "", "order": 1}
    data.update(over)
    return data


def in_review(author, **over) -> Article:
    article = services.article_create(actor=author, data=article_data(**over))
    return services.article_submit(actor=author, article=article)


# --- the review rule ----------------------------------------------------------------------------------------

def test_the_author_cannot_publish_their_own_article_and_the_refusal_is_audited(case_manager):
    article = in_review(case_manager)
    with pytest.raises(services.AwarenessError) as err:
        services.article_publish(actor=case_manager, article=article)
    assert "tidak boleh menerbitkannya sendiri" in err.value.message
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW and article.published_by is None
    assert AuditEvent.objects.filter(action="publish_refused", object_type="article", actor=case_manager).exists()
    assert not AuditEvent.objects.filter(action="publish").exists()


def test_a_second_person_publishes_and_it_is_audited(case_manager, supervisor):
    article = in_review(case_manager)
    services.article_publish(actor=supervisor, article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_by == supervisor
    entry = AuditEvent.objects.get(action="publish", object_type="article")
    assert entry.actor == supervisor and entry.object_id == str(article.pk)


def test_someone_who_edited_this_version_cannot_publish_it_either(case_manager, supervisor, intake_officer):
    article = in_review(case_manager)
    services.article_update(actor=supervisor, article=article, data=article_data(body_id="<p>Diubah</p>"))
    with pytest.raises(services.AwarenessError):
        services.article_publish(actor=supervisor, article=article)
    services.article_publish(actor=intake_officer, article=article)  # a third person, who changed nothing
    assert Article.objects.get().published_by == intake_officer


def test_only_an_article_under_review_is_published(case_manager, supervisor):
    article = services.article_create(actor=case_manager, data=article_data())
    with pytest.raises(services.AwarenessError):
        services.article_publish(actor=supervisor, article=article)
    assert Article.objects.get().status == Article.Status.DRAFT


def test_the_database_refuses_a_self_published_row(case_manager):
    article = services.article_create(actor=case_manager, data=article_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="published", published_by=case_manager)


def test_the_pages_apply_the_rule(case_manager, supervisor):
    author = verified_client(case_manager)
    response = author.post(reverse("awareness:article_new"), article_data())
    article = Article.objects.get()
    assert response.status_code == 302
    author.post(reverse("awareness:article_action", args=[article.pk, "ajukan"]))
    page = author.get(reverse("awareness:article", args=[article.pk])).content.decode()
    assert "Anda menulis atau mengubah versi ini" in page and "terbitkan/" not in page
    refused = author.post(reverse("awareness:article_action", args=[article.pk, "terbitkan"]))
    assert refused.status_code == 400 and "tidak boleh menerbitkannya sendiri" in refused.content.decode()
    reviewer = verified_client(supervisor)
    assert reviewer.post(reverse("awareness:article_action", args=[article.pk, "terbitkan"])).status_code == 302
    assert Article.objects.get().status == Article.Status.PUBLISHED
    assert verified_client(case_manager).get(reverse("awareness:article_edit", args=[article.pk])).status_code == 302


def test_partners_cannot_write_or_publish(partner_psychologist, case_manager):
    article = in_review(case_manager)
    client = verified_client(partner_psychologist)
    assert client.get(reverse("awareness:articles")).status_code == 403
    assert client.post(reverse("awareness:article_action", args=[article.pk, "terbitkan"])).status_code == 403
    assert Article.objects.get().status == Article.Status.REVIEW


def test_a_bad_slug_is_refused_in_indonesian_and_the_text_is_kept(case_manager):
    client = verified_client(case_manager)
    response = client.post(reverse("awareness:article_new"), article_data(slug="Hak Korban!", body_id="Teks panjang saya"))
    assert response.status_code == 400
    assert "Pakai huruf kecil, angka, dan tanda hubung" in response.content.decode()
    assert "Teks panjang saya" in response.content.decode()


# --- sanitising -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dirty", [
    '<p>Halo</p><script>alert(1)</script>',
    '<p>Halo<img src=x onerror="alert(1)"></p>',
    '<p><a href="javascript:alert(1)">Halo</a></p>',
    '<p onclick="alert(1)" style="color:red">Halo</p><iframe src="https://evil.example"></iframe>',
    '<p>Halo</p><svg onload="alert(1)"></svg><style>body{display:none}</style>',
    '<p><a href="data:text/html;base64,PHNjcmlwdD4=">Halo</a></p>',
])
def test_nh3_strips_scripts_handlers_and_dangerous_urls(dirty):
    clean = clean_html(dirty)
    assert "Halo" in clean
    for bad in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "<iframe", "<svg", "style", "data:", "<img"):
        assert bad not in clean.lower(), (bad, clean)


def test_allowed_markup_stays_and_links_get_rel():
    clean = clean_html('<h2>Judul</h2><ul><li><strong>Satu</strong></li></ul><a href="https://wa.me/628111129129">WA</a>')
    assert "<h2>Judul</h2>" in clean and "<strong>Satu</strong>" in clean
    assert 'href="https://wa.me/628111129129"' in clean and 'rel="noopener noreferrer nofollow"' in clean


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert clean_html("Baris satu\n\nBaris dua & tiga\nlanjut") == "<p>Baris satu</p><p>Baris dua &amp; tiga<br>lanjut</p>"
    assert "<dua>" not in clean_html("Baris <dua> & tiga")  # looks like markup: cleaned as HTML


def test_the_stored_body_is_clean(case_manager):
    article = services.article_create(actor=case_manager, data=article_data(
        body_id='<p>Aman</p><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'))
    assert "onerror" not in article.body_id and "javascript:" not in article.body_id and "<p>Aman</p>" in article.body_id


def test_a_body_that_is_only_markup_is_refused(case_manager):
    with pytest.raises(services.AwarenessError) as err:
        services.article_create(actor=case_manager, data=article_data(body_id="<script>alert(1)</script>"))
    assert err.value.field == "body_id"


# --- images ---------------------------------------------------------------------------------------------

def test_article_images_lose_their_exif_gps(case_manager, supervisor):
    article = services.article_create(actor=case_manager, data=article_data())
    client = verified_client(case_manager)
    photo = jpeg_with_gps()
    response = client.post(reverse("awareness:article_action", args=[article.pk, "gambar"]), {
        "image": SimpleUploadedFile("foto.jpg", photo), "alt_id": "Poster layanan SAPA 129"})
    assert response.status_code == 302
    image = article.images.get()
    stored = files.image_read(image.storage_name)
    assert b"KameraPelaku" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert (image.width, image.height) == (64, 48)
    services.article_submit(actor=case_manager, article=article)
    services.article_publish(actor=supervisor, article=article)
    public = verified_client(supervisor).get(reverse("public_article_image", args=[article.slug, image.pk]))
    assert public.status_code == 200 and public.content == stored and public["Content-Type"] == "image/jpeg"


def test_an_image_without_alt_text_or_not_an_image_is_refused(case_manager):
    article = services.article_create(actor=case_manager, data=article_data())
    client = verified_client(case_manager)
    url = reverse("awareness:article_action", args=[article.pk, "gambar"])
    no_alt = client.post(url, {"image": SimpleUploadedFile("a.jpg", jpeg_with_gps()), "alt_id": ""})
    assert no_alt.status_code == 400 and "Wajib diisi." in no_alt.content.decode()
    pdf = client.post(url, {"image": SimpleUploadedFile("a.pdf", b"%PDF-1.4 hello"), "alt_id": "x"})
    assert pdf.status_code == 400 and "Unggah gambar JPG, PNG, atau WebP" in pdf.content.decode()
    assert not article.images.exists()


# --- public pages -----------------------------------------------------------------------------------------

def test_public_pages_show_only_published_articles_with_the_quick_exit(client, case_manager, supervisor):
    draft = services.article_create(actor=case_manager, data=article_data(slug="draf-saja", title_id="Draf rahasia"))
    assert client.get(reverse("public_article", args=[draft.slug])).status_code == 404
    article = in_review(case_manager, title_id="Kenali grooming daring")
    services.article_publish(actor=supervisor, article=article)
    for url in (reverse("public_articles"), reverse("public_article", args=[article.slug]), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="quick-exit"' in page and "Kenali grooming daring" in page and "Draf rahasia" not in page
        assert response["Cache-Control"].startswith("no-store")
        scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
        assert all(s.split("/")[-1].split(".")[0] in ("quickexit", "history") for s in scripts), scripts
        assert len(response.content) < 60_000  # light, like the report form


def test_public_article_in_english_when_written(client, case_manager, supervisor, settings):
    article = in_review(case_manager, title_en="Your rights", summary_en="Short", body_en="<p>English body</p>")
    services.article_publish(actor=supervisor, article=article)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("public_article", args=[article.slug])).content.decode()
    assert "English body" in page and 'lang="en"' in page
    client.cookies["django_language"] = "id"
    page = client.get(reverse("public_article", args=[article.slug])).content.decode()
    assert "Isi artikel" in page


def test_an_image_of_an_unpublished_article_is_not_public(client, case_manager):
    article = services.article_create(actor=case_manager, data=article_data())
    image = services.article_image_add(actor=case_manager, article=article, data=jpeg_with_gps(), alt_id="Foto")
    assert client.get(reverse("public_article_image", args=[article.slug, image.pk])).status_code == 404


def test_seed_demo_publishes_the_four_articles_with_review_and_records_events(case_manager, supervisor, client):
    case_manager.username, supervisor.username = "manajer1", "supervisor"
    case_manager.save(update_fields=["username"])
    supervisor.save(update_fields=["username"])
    assert seed_awareness() == "Edukasi: 4 artikel terbit; sosialisasi: 12 kegiatan."
    assert seed_awareness() == "Edukasi: 0 artikel terbit; sosialisasi: 0 kegiatan."  # run again: nothing changes
    articles = Article.objects.all()
    assert {a.slug for a in articles} == {"hak-korban-uu-tpks", "kenali-grooming-daring", "ke-mana-minta-tolong",
                                          "setelah-melapor"}
    assert all(a.status == "published" and a.author == case_manager and a.published_by == supervisor for a in articles)
    home = client.get(reverse("home")).content.decode()
    assert "Kenali grooming daring di media sosial" in home and "Ke mana minta tolong" in home
    assert AwarenessEvent.objects.count() == 12
