"""Awareness events (sosialisasi): attendance validated (Indonesian messages, 400, nothing typed lost),
materials cleaned of metadata and sealed, list search and filters, the printable summary, reach figures."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from salingsapa.awareness import files, selectors, services
from salingsapa.awareness.models import AwarenessEvent, EventMaterial
from salingsapa.core.files import _root
from salingsapa.core.models import AuditEvent, Region
from salingsapa.stats.reports import parse_period, render_report_html
from tests.casework_helpers import verified_client
from tests.test_evidence import jpeg_with_gps, pdf_bytes

pytestmark = pytest.mark.django_db

KASEMEN_VILLAGE = "36.73.02"


def village(prefix: str = "36.73.01", index: int = 0) -> Region:
    return Region.objects.filter(code__startswith=prefix + ".", level=4).order_by("code")[index]


def form_data(**over):
    data = {
        "title": "Aman bermedia sosial", "topic": "online_grooming", "audiences": ["students", "teachers"],
        "held_on": "2025-09-10", "venue": "SMPN 1", "kelurahan": village().code,
        "female_child": "20", "male_child": "18", "female_adult": "2", "male_adult": "1",
        "female_older": "0", "male_older": "0", "participants_total": "41", "notes": "",
    }
    data.update(over)
    return data


def event_data(kelurahan: Region, held_on: dt.date, topic: str = "online_grooming", **counts) -> dict:
    cells = {"female_child": 0, "male_child": 0, "female_adult": 0, "male_adult": 0, "female_older": 0,
             "male_older": 0, **counts}
    return {"title": "Sosialisasi", "topic": topic, "audiences": ["parents"], "held_on": held_on, "venue": "Balai",
            "kelurahan": kelurahan, "notes": "", "participants_total": sum(cells.values()), **cells}


def test_staff_record_an_event_and_it_is_audited(counsellor):
    client = verified_client(counsellor)
    response = client.post(reverse("awareness:event_new"), form_data())
    assert response.status_code == 302
    event = AwarenessEvent.objects.get()
    assert (event.participants_total, event.female, event.male, event.children) == (41, 22, 19, 38)
    assert event.audiences == ["students", "teachers"]
    assert AuditEvent.objects.filter(action="create", object_type="awareness_event", object_id=str(event.pk)).exists()
    page = client.get(reverse("awareness:event", args=[event.pk])).content.decode()
    assert "Aman bermedia sosial" in page and "41" in page


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"female_child": "-3"}, "female_child", "Jumlah tidak boleh negatif."),
    ({"male_adult": "99999"}, "male_adult", "Jumlah terlalu besar untuk satu kegiatan"),
    ({"participants_total": "40"}, "participants_total",
     "Jumlah peserta (40) tidak sama dengan jumlah menurut jenis kelamin dan umur (41)."),
    ({"female_child": "0", "male_child": "0", "female_adult": "0", "male_adult": "0", "participants_total": "0"},
     "participants_total", "paling sedikit 1"),
    ({"female_child": "dua puluh"}, "female_child", "Tulis angka bulat"),
    ({"kelurahan": "36.73.01"}, "kelurahan", ""),  # a kecamatan is not a kelurahan
    ({"held_on": "1899-01-01"}, "held_on", "Tanggal tidak masuk akal."),
    ({"title": ""}, "title", "Wajib diisi."),
])
def test_impossible_attendance_is_refused_in_indonesian_and_nothing_typed_is_lost(case_manager, over, field, message):
    client = verified_client(case_manager)
    response = client.post(reverse("awareness:event_new"), form_data(**over))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in form.errors[field][0]
    page = response.content.decode()
    assert 'value="SMPN 1"' in page and ("title" in over or 'value="Aman bermedia sosial"' in page)  # typed, kept
    assert not AwarenessEvent.objects.exists()


def test_the_database_refuses_a_total_that_is_not_the_sum(case_manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        AwarenessEvent.objects.create(title="x", topic="other", held_on=dt.date(2025, 1, 1), venue="v",
                                      kelurahan=village(), female_child=3, participants_total=4,
                                      created_by=case_manager)


def test_service_refuses_negative_counts(case_manager):
    with pytest.raises(services.AwarenessError) as err:
        services.event_create(actor=case_manager, data=event_data(village(), dt.date(2025, 1, 5), female_adult=-1))
    assert err.value.field == "female_adult"


def test_partners_and_media_may_not_record_events(partner_psychologist, media_partner):
    for user in (partner_psychologist, media_partner):
        client = verified_client(user)
        assert client.get(reverse("awareness:events")).status_code == 403
        assert client.post(reverse("awareness:event_new"), form_data()).status_code == 403
    with pytest.raises(services.AwarenessError):
        services.event_create(actor=partner_psychologist, data=event_data(village(), dt.date(2025, 1, 5), male_adult=3))
    assert not AwarenessEvent.objects.exists()


def test_materials_lose_gps_and_pdf_metadata_and_are_sealed(case_manager):
    client = verified_client(case_manager)
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get(0x8825)
    slides = pdf_bytes(author="Siti Pemateri", xmp=True)
    response = client.post(reverse("awareness:event_new"), {
        **form_data(), "materials": [_upload("foto.jpg", photo), _upload("materi.pdf", slides)]})
    assert response.status_code == 302, response.content.decode()[:2000]
    jpeg, pdf = EventMaterial.objects.order_by("pk")
    on_disk = (_root() / jpeg.storage_name).read_bytes()
    assert b"KameraPelaku" not in on_disk and b"\xff\xd8" not in on_disk[:4]  # sealed, not a plain JPEG
    clean = files.material_read(jpeg.storage_name)
    assert not Image.open(io.BytesIO(clean)).getexif() and b"KameraPelaku" not in clean
    download = client.get(reverse("awareness:material", args=[jpeg.event_id, jpeg.pk]))
    assert download.status_code == 200 and download.content == clean
    assert download["Content-Disposition"].startswith("attachment")
    cleaned_pdf = files.material_read(pdf.storage_name)
    assert b"Siti Pemateri" not in cleaned_pdf
    with pikepdf.open(io.BytesIO(cleaned_pdf)) as doc:
        assert "/Info" not in doc.trailer and "/Metadata" not in doc.Root


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_file_that_cannot_be_cleaned_refuses_the_save_and_keeps_the_form(case_manager, tmp_path):
    client = verified_client(case_manager)
    response = client.post(reverse("awareness:event_new"), {
        **form_data(), "materials": [_upload("foto.jpg", jpeg_with_gps()), _upload("virus.exe", b"MZ\x90\x00" * 100)]})
    assert response.status_code == 400
    assert "Jenis berkas tidak diterima" in response.content.decode()
    assert not AwarenessEvent.objects.exists() and not EventMaterial.objects.exists()
    assert not [p for p in _root().rglob("*") if p.is_file()]  # the first file, already sealed, was removed


def test_list_search_and_filters(case_manager):
    a, b = village("36.73.01"), village(KASEMEN_VILLAGE)
    services.event_create(actor=case_manager, data={**event_data(a, dt.date(2025, 3, 1), "online_grooming",
                                                                 female_child=5), "title": "Kelas grooming"})
    services.event_create(actor=case_manager, data={**event_data(b, dt.date(2025, 6, 1), "tpks_rights",
                                                                 male_adult=7), "title": "UU TPKS untuk PATBM"})
    client = verified_client(case_manager)
    url = reverse("awareness:events")

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return sorted(e.title for e in response.context["page"])

    assert titles() == ["Kelas grooming", "UU TPKS untuk PATBM"]
    assert titles(q="patbm") == ["UU TPKS untuk PATBM"]
    assert titles(kelurahan=a.code) == ["Kelas grooming"]
    assert titles(kecamatan=KASEMEN_VILLAGE) == ["UU TPKS untuk PATBM"]
    assert titles(topic="online_grooming") == ["Kelas grooming"]
    assert titles(date_from="2025-04-01") == ["UU TPKS untuk PATBM"]
    assert titles(date_from="2025-01-01", date_to="2025-04-01") == ["Kelas grooming"]
    bad = client.get(url, {"date_from": "2025-05-01", "date_to": "2025-01-01"})
    assert bad.status_code == 400 and "Tanggal akhir sebelum tanggal awal." in bad.content.decode()


def test_printable_summary_has_counts_and_no_names(case_manager):
    event = services.event_create(actor=case_manager, data=event_data(village(), dt.date(2025, 2, 2),
                                                                      female_child=4, male_child=3))
    page = verified_client(case_manager).get(reverse("awareness:event_print", args=[event.pk])).content.decode()
    assert "Ringkasan sosialisasi" in page and "<nav" not in page and ">7<" in page


def test_reach_per_kelurahan_topic_and_month(case_manager):
    a, b = village("36.73.01"), village(KASEMEN_VILLAGE)
    services.event_create(actor=case_manager, data=event_data(a, dt.date(2025, 3, 1), female_child=10, male_child=5))
    services.event_create(actor=case_manager, data=event_data(a, dt.date(2025, 3, 20), "tpks_rights", female_adult=4))
    services.event_create(actor=case_manager, data=event_data(b, dt.date(2025, 5, 2), male_adult=6, female_older=1))
    services.event_create(actor=case_manager, data=event_data(b, dt.date(2024, 12, 31), male_adult=50))  # outside
    r = selectors.reach(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert (r.events, r.participants, r.children) == (3, 26, 15)
    by_area = {row.code: row for row in r.by_kelurahan}
    assert (by_area[a.code].events, by_area[a.code].participants, by_area[a.code].female) == (2, 19, 14)
    assert (by_area[b.code].events, by_area[b.code].participants, by_area[b.code].male) == (1, 7, 6)
    by_topic = {row.code: row.participants for row in r.by_topic}
    assert by_topic == {"online_grooming": 22, "tpks_rights": 4}
    assert [(m.code, m.events) for m in r.by_month] == [("2025-03", 2), ("2025-05", 1)]
    assert r.cells[(a.code, "tpks_rights")] == 4
    kasemen = selectors.reach(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), area=KASEMEN_VILLAGE)
    assert (kasemen.events, kasemen.participants) == (1, 7)


def test_reach_is_on_the_statistics_dashboard_and_in_the_pdf_report(case_manager):
    services.event_create(actor=case_manager, data=event_data(village(), dt.date(2025, 3, 1), female_child=12))
    client = verified_client(case_manager)
    page = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-12-31"}).content.decode()
    assert "Jangkauan sosialisasi" in page and "Grooming daring di media sosial" in page
    kind, flt = parse_period("2025")
    html = render_report_html(kind, flt)
    assert "Jangkauan sosialisasi" in html and "1 kegiatan, 12 peserta (12 anak)" in html
