"""Evidence files: type by content, EXIF/GPS stripped, sealed on disk, size limits."""

from __future__ import annotations

import io
import struct
import wave

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, TextStringObject

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


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/">'
    b"<dc:creator>Siti Korban</dc:creator><exif:GPSLatitude>6,7.2S</exif:GPSLatitude>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def pdf_bytes(*, author: str = "", xmp: bool = False, password: str = "") -> bytes:
    """A real one-page PDF, optionally with an /Author, an XMP stream in the catalog, or a password."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=300)
    if author:
        writer.add_metadata({"/Author": author, "/Creator": "HP LaserJet Kantor Desa"})
    if xmp:
        stream = DecodedStreamObject()
        stream.set_data(XMP)
        stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    if author:
        from pypdf.annotations import Text

        note = Text(rect=(10, 10, 30, 30), text="lihat memar")
        note[NameObject("/T")] = TextStringObject(author)
        writer.add_annotation(page_number=0, annotation=note)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()


def wav_with_info_chunk() -> bytes:
    """A WAV whose LIST/INFO chunk names the artist and the recording place (as phone recorders do)."""
    fields = b"".join(
        key + struct.pack("<I", len(value)) + value + (b"\x00" if len(value) % 2 else b"")
        for key, value in ((b"IART", b"Budi Pelaku\x00"), (b"INAM", b"Rumah Jl. Melati 5\x00"))
    )
    chunk = b"LIST" + struct.pack("<I", 4 + len(fields)) + b"INFO" + fields
    data = wav_bytes() + chunk
    return b"RIFF" + struct.pack("<I", len(data) - 8) + data[8:]


def mp3_with_id3() -> bytes:
    """A few silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) with ID3v2 title/artist and ID3v1."""
    from mutagen.id3 import ID3, TIT2, TPE1

    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Rekaman di rumah Jl. Melati"))
    tags.add(TPE1(encoding=3, text="Siti Korban"))
    buf = io.BytesIO(frame * 20)
    tags.save(buf, v1=2)
    return buf.getvalue()


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


def test_pdf_author_and_xmp_are_stripped_and_the_page_is_kept(client, db):
    original = pdf_bytes(author="Siti Korban", xmp=True)
    before = PdfReader(io.BytesIO(original))
    assert before.metadata.author == "Siti Korban" and before.xmp_metadata is not None
    assert before.pages[0]["/Annots"][0].get_object()["/T"] == "Siti Korban"
    fill_steps(client)
    doc = io.BytesIO(original)
    doc.name = "surat.pdf"
    assert client.post("/lapor/bukti/", {"files": [doc], "lanjut": "1"}).status_code == 303
    submit(client)
    evidence = Evidence.objects.get()
    stored = read_sealed_file(evidence.storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"Siti Korban" not in stored and b"LaserJet" not in stored and b"xmpmeta" not in stored
    after = PdfReader(io.BytesIO(stored))
    assert after.metadata is None and after.xmp_metadata is None
    assert "/Metadata" not in after.trailer["/Root"]
    assert len(after.pages) == 1 and float(after.pages[0].mediabox.height) == 300
    note = after.pages[0]["/Annots"][0].get_object()
    assert note["/Contents"] == "lihat memar" and "/T" not in note  # the comment stays, its author goes
    assert evidence.size == len(stored) and evidence.content_type == "application/pdf"


def test_encrypted_pdf_is_refused_with_a_message(client, db):
    locked = pdf_bytes(author="Siti Korban", password="rahasia")
    with pytest.raises(EvidenceRejected) as exc:
        evidence_prepare(data=locked, filename="terkunci.pdf")
    assert "PDF terkunci/rusak" in exc.value.message
    fill_steps(client)
    doc = io.BytesIO(locked)
    doc.name = "terkunci.pdf"
    response = client.post("/lapor/bukti/", {"files": [doc], "lanjut": "1"})
    assert response.status_code == 400 and "kirim tanpa kata sandi" in response.content.decode()


def test_broken_pdf_is_refused_not_stored(db):
    with pytest.raises(EvidenceRejected) as exc:
        evidence_prepare(data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", filename="rusak.pdf")
    assert "PDF terkunci/rusak" in exc.value.message


def test_wav_info_chunk_is_stripped_and_the_sound_kept(client, db):
    original = wav_with_info_chunk()
    assert b"Budi Pelaku" in original
    fill_steps(client)
    rec = io.BytesIO(original)
    rec.name = "rekaman.wav"
    assert client.post("/lapor/bukti/", {"files": [rec], "lanjut": "1"}).status_code == 303
    submit(client)
    stored = read_sealed_file(Evidence.objects.get().storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"Budi Pelaku" not in stored and b"Melati" not in stored and b"LIST" not in stored
    with wave.open(io.BytesIO(stored)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (1, 8000, 800)


def test_mp3_id3_tags_are_stripped(db):
    import mutagen

    original = mp3_with_id3()
    assert mutagen.File(io.BytesIO(original)).tags["TPE1"].text == ["Siti Korban"]
    stored = evidence_prepare(data=original, filename="rekaman.mp3")
    assert stored.content_type == "audio/mpeg"
    on_disk = read_sealed_file(stored.storage_name, purpose=EVIDENCE_PURPOSE)
    assert b"Siti Korban" not in on_disk and b"Melati" not in on_disk and b"TAG" not in on_disk[-128:]
    cleaned = mutagen.File(io.BytesIO(on_disk))
    assert cleaned is not None and not cleaned.tags
    assert on_disk == b"\xff\xfb\x90\x64" + b"\x00" * 413 + on_disk[417:] and len(on_disk) == 417 * 20


def test_amr_keeps_only_its_frames(db):
    frames = b"#!AMR\n" + (b"\x3c" + b"\x00" * 31) * 5  # five 12.2 kbit/s frames
    stored = evidence_prepare(data=frames + b"Siti Korban, Jl. Melati", filename="rekaman.amr")
    assert read_sealed_file(stored.storage_name, purpose=EVIDENCE_PURPOSE) == frames


def test_unreadable_audio_is_refused_not_stored(db, settings):
    garbage = b"OggS" + b"\x00" * 200 + b"Siti Korban"
    with pytest.raises(EvidenceRejected) as exc:
        evidence_prepare(data=garbage, filename="rekaman.ogg")
    assert "Rekaman suara" in exc.value.message
    assert not list((settings.MEDIA_ROOT / "sealed").glob("*"))


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

    from salingsapa.core.models import AuditEvent
    from salingsapa.intake.evidence import evidence_read
    from salingsapa.network.access import access_evidence

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
    assert len(PdfReader(io.BytesIO(evidence_read(got))).pages) == 1
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
