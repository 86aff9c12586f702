"""Evidence uploads are bounded (issue 9 item 4): per client address, per draft or report, all pending drafts."""

from __future__ import annotations

import io
import re

from django.test import Client

from salingsapa.intake.models import Evidence, PendingUpload
from tests.reporting import fill_steps, submit
from tests.test_evidence import PDF


def _pdf(name: str = "surat.pdf") -> io.BytesIO:
    doc = io.BytesIO(PDF)
    doc.name = name
    return doc


def _sealed(settings) -> int:
    return sum(1 for _ in (settings.MEDIA_ROOT / "sealed").rglob("*")) if (settings.MEDIA_ROOT / "sealed").exists() else 0


def test_a_draft_cannot_upload_and_remove_forever(client, db, settings):
    settings.EVIDENCE_SCOPE_MAX_FILES = 3
    fill_steps(client)
    for _ in range(3):
        assert client.post("/lapor/bukti/", {"files": [_pdf()]}).status_code == 303
        name = re.search(r'name="hapus" value="([^"]+)"', client.get("/lapor/bukti/").content.decode()).group(1)
        client.post("/lapor/bukti/", {"hapus": name})
    response = client.post("/lapor/bukti/", {"files": [_pdf()]})
    assert response.status_code == 429
    assert "Terlalu banyak berkas" in response.content.decode()
    assert PendingUpload.objects.count() == 0


def test_files_per_client_address_are_limited_across_drafts(db, settings):
    settings.EVIDENCE_FILES_PER_HOUR = 2
    statuses = []
    for _ in range(3):
        person = Client(REMOTE_ADDR="198.51.100.20")
        fill_steps(person)
        statuses.append(person.post("/lapor/bukti/", {"files": [_pdf()]}).status_code)
    assert statuses == [303, 303, 429]
    other = Client(REMOTE_ADDR="198.51.100.21")
    fill_steps(other)
    assert other.post("/lapor/bukti/", {"files": [_pdf()]}).status_code == 303


def test_bytes_per_client_address_are_refused_before_the_body_is_read(client, db, settings):
    settings.EVIDENCE_BYTES_PER_HOUR = 1000  # one small upload (about 570 bytes with its multipart framing)
    fill_steps(client)
    assert client.post("/lapor/bukti/", {"files": [_pdf()]}).status_code == 303
    response = client.post("/lapor/bukti/", {"files": [_pdf()]})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert PendingUpload.objects.count() == 1


def test_pending_uploads_of_all_drafts_together_are_capped(client, db, settings):
    fill_steps(client)
    assert client.post("/lapor/bukti/", {"files": [_pdf()]}).status_code == 303
    waiting = PendingUpload.objects.get().size
    assert waiting > 0
    settings.EVIDENCE_PENDING_MAX_BYTES = waiting + len(PDF) // 2
    sealed = _sealed(settings)
    response = client.post("/lapor/bukti/", {"files": [_pdf()]})
    assert response.status_code == 503 and "penuh" in response.content.decode()
    assert _sealed(settings) == sealed
    # the report itself still goes through, with the file already accepted
    submit(client)
    assert Evidence.objects.count() == 1 and PendingUpload.objects.count() == 0


def test_follow_up_uploads_are_limited_per_report(client, db, settings):
    settings.EVIDENCE_SCOPE_MAX_FILES = 2
    fill_steps(client)
    reference, codename = submit(client)
    client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    assert client.post("/lapor/cek/berkas/", {"files": [_pdf(), _pdf("dua.pdf")]}).status_code == 303
    response = client.post("/lapor/cek/berkas/", {"files": [_pdf("tiga.pdf")]})
    assert response.status_code == 429
    assert Evidence.objects.filter(report__reference=reference).count() == 2


def test_budget_refusals_are_logged_as_security_events_without_the_address(db, settings, caplog):
    settings.EVIDENCE_FILES_PER_HOUR = 1
    person = Client(REMOTE_ADDR="198.51.100.77")
    fill_steps(person)
    person.post("/lapor/bukti/", {"files": [_pdf()]})
    with caplog.at_level("WARNING", logger="salingsapa.security"):
        assert person.post("/lapor/bukti/", {"files": [_pdf("kedua.pdf")]}).status_code == 429
    records = [r for r in caplog.records if r.name == "salingsapa.security"]
    assert [r.getMessage() for r in records] == ["evidence upload refused: per-address files budget used up"]
    assert "198.51.100.77" not in caplog.text and "kedua.pdf" not in caplog.text
