"""Evidence files: type by content, EXIF/GPS stripped, sealed on disk, size limits."""

from __future__ import annotations

import io
import wave

import pytest
from PIL import Image

from salingsapa.core.files import read_sealed_file
from salingsapa.intake.evidence import EVIDENCE_PURPOSE, EvidenceRejected, evidence_prepare
from salingsapa.intake.models import Evidence, Report
from tests.reporting import fill_steps, submit


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraPelaku"  # Make
    exif[0x0131] = "Software rahasia"
    gps = {1: "S", 2: (6.0, 7.0, 12.5), 3: "E", 4: (106.0, 9.0, 3.0)}  # Kota Serang-ish
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "alamat rumah korban")
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_gps_exif_is_stripped_before_sealing(db):
    original = jpeg_with_gps()
    assert b"KameraPelaku" in original and Image.open(io.BytesIO(original)).getexif().get(0x8825)
    stored = evidence_prepare(data=original, filename="foto.jpg")
    assert stored.content_type == "image/jpeg"
    on_disk = read_sealed_file(stored.storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"KameraPelaku" not in on_disk and b"Exif" not in on_disk
    cleaned = Image.open(io.BytesIO(on_disk))
    assert not cleaned.getexif()
    assert cleaned.size == (64, 48)


def test_png_text_chunks_are_stripped(db):
    stored = evidence_prepare(data=png_with_text(), filename="layar.png")
    on_disk = read_sealed_file(stored.storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"alamat rumah" not in on_disk
    assert Image.open(io.BytesIO(on_disk)).format == "PNG"


def test_file_is_sealed_on_disk(db, settings):
    stored = evidence_prepare(data=PDF, filename="surat.pdf")
    raw = (settings.MEDIA_ROOT / "sealed" / stored.storage_name).read_bytes()
    assert b"%PDF" not in raw
    assert stored.content_type == "application/pdf"


def test_audio_is_accepted_by_content(db):
    assert evidence_prepare(data=wav_bytes(), filename="rekaman").content_type.startswith("audio/")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "foto.jpg"),
        (b"<script>alert(1)</script>", "gambar.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "dokumen.pdf"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "rusak.jpg"),
    ],
)
def test_type_comes_from_content_not_name(db, data, name):
    with pytest.raises(EvidenceRejected):
        evidence_prepare(data=data, filename=name)


def test_oversize_file_is_413(db, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(EvidenceRejected) as exc:
        evidence_prepare(data=PDF + b"0" * 2000, filename="besar.pdf")
    assert exc.value.status == 413


def test_web_form_attaches_cleaned_files_to_the_report(client, db):
    fill_steps(client)
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "bukti.jpg"
    response = client.post("/lapor/bukti/", {"files": [photo], "lanjut": "1"})
    assert response.status_code == 303 and response["Location"] == "/lapor/ringkasan/"
    assert "bukti.jpg" in client.get("/lapor/ringkasan/").content.decode()
    submit(client)
    evidence = Evidence.objects.get()
    assert evidence.report == Report.objects.get()
    assert evidence.content_type == "image/jpeg" and evidence.original_name == "bukti.jpg"
    data = read_sealed_file(evidence.storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"KameraPelaku" not in data


def test_web_form_refuses_a_script_named_jpg_and_keeps_the_draft(client, db):
    fill_steps(client)
    fake = io.BytesIO(b"#!/bin/sh\necho pwned\n")
    fake.name = "foto.jpg"
    response = client.post("/lapor/bukti/", {"files": [fake], "lanjut": "1"})
    assert response.status_code == 400
    assert "Jenis berkas tidak diterima" in response.content.decode()
    assert "Tetangga memukul" in client.get("/lapor/ringkasan/").content.decode()


def test_web_form_oversize_file_is_413(client, db, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    fill_steps(client)
    big = io.BytesIO(PDF + b"0" * 5000)
    big.name = "besar.pdf"
    response = client.post("/lapor/bukti/", {"files": [big]})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()


def test_whole_request_over_the_cap_is_413_before_reading(client, db, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    settings.EVIDENCE_MAX_FILES = 1
    fill_steps(client)
    big = io.BytesIO(b"x" * (2 * 1024 * 1024))
    big.name = "besar.bin"
    assert client.post("/lapor/bukti/", {"files": [big]}).status_code == 413


def test_remove_a_file_from_the_draft(client, db, settings):
    fill_steps(client)
    doc = io.BytesIO(PDF)
    doc.name = "surat.pdf"
    client.post("/lapor/bukti/", {"files": [doc]})
    page = client.get("/lapor/bukti/").content.decode()
    import re

    name = re.search(r'name="hapus" value="([^"]+)"', page).group(1)
    client.post("/lapor/bukti/", {"hapus": name})
    assert "surat.pdf" not in client.get("/lapor/bukti/").content.decode()
    assert not (settings.MEDIA_ROOT / "sealed" / name).exists()


def test_files_can_be_added_at_follow_up(client, db):
    fill_steps(client)
    reference, codename = submit(client)
    client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    doc = io.BytesIO(PDF)
    doc.name = "tambahan.pdf"
    response = client.post("/lapor/cek/berkas/", {"files": [doc]})
    assert response.status_code == 303
    assert Evidence.objects.filter(report__reference=reference).count() == 1
    fake = io.BytesIO(b"<?php system($_GET['c']); ?>")
    fake.name = "foto.jpg"
    assert client.post("/lapor/cek/berkas/", {"files": [fake]}).status_code == 400


def test_evidence_is_served_only_to_lead_agency_staff_and_every_read_is_audited(
    client, db, intake_officer, partner_psychologist, media_partner
):
    from django.http import Http404

    from salingsapa.core.access import access_evidence
    from salingsapa.core.models import AuditEvent
    from salingsapa.intake.evidence import evidence_read

    fill_steps(client)
    doc = io.BytesIO(PDF)
    doc.name = "surat.pdf"
    client.post("/lapor/bukti/", {"files": [doc]})
    submit(client)
    evidence = Evidence.objects.get()
    for stranger in (partner_psychologist, media_partner, None):
        with pytest.raises(Http404):
            access_evidence(stranger, evidence.pk)
    assert AuditEvent.objects.filter(object_type="evidence", action="denied").count() == 3
    got = access_evidence(intake_officer, evidence.pk)
    assert evidence_read(got) == PDF
    assert AuditEvent.objects.filter(object_type="evidence", action="read", actor=intake_officer).count() == 1


def test_abandoned_draft_uploads_are_purged_but_attached_files_are_kept(client, db, settings):
    import datetime as dt

    from django.core.management import call_command

    from salingsapa.intake.models import PendingUpload

    fill_steps(client)
    doc = io.BytesIO(PDF)
    doc.name = "dikirim.pdf"
    client.post("/lapor/bukti/", {"files": [doc]})
    submit(client)
    attached = Evidence.objects.get().storage_name
    assert not PendingUpload.objects.exists()  # attached: no longer pending

    other = client.__class__()
    fill_steps(other)
    doc = io.BytesIO(PDF)
    doc.name = "ditinggal.pdf"
    other.post("/lapor/bukti/", {"files": [doc]})
    pending = PendingUpload.objects.get()
    PendingUpload.objects.filter(pk=pending.pk).update(created_at=pending.created_at - dt.timedelta(hours=25))
    call_command("evidence_cleanup")
    assert not PendingUpload.objects.exists()
    assert not (settings.MEDIA_ROOT / "sealed" / pending.storage_name).exists()
    assert (settings.MEDIA_ROOT / "sealed" / attached).exists()
