"""Timeline entries are an event kind plus parameters, rendered in the reader's language (issue 10 item 11,
issue 11 item 6); the data migration turns the old Indonesian prose back into kind + parameters."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from salingsapa.cases import services as case_services
from salingsapa.cases import timeline
from salingsapa.cases.models import CaseEvent
from tests.casework_helpers import make_report, verified_client

migration = importlib.import_module("salingsapa.cases.migrations.0007_caseevent_params")

BEFORE = ("cases", "0006_alert_kind_security")

# (kind, old sentence, expected params) — every sentence the services wrote before entries had parameters
OLD_ROWS = [
    ("opened", "Kasus dibuka dari pengaduan SS-7KQ4-M2PX", {"reference": "SS-7KQ4-M2PX"}),
    ("report_attached", "Pengaduan SS-AB12-CD34 digabungkan ke kasus ini", {"reference": "SS-AB12-CD34"}),
    ("status", "Status: Baru → Asesmen", {"from": "new", "to": "assessment"}),
    ("status", "Status: Rencana intervensi → Layanan", {"from": "planning", "to": "in_service"}),
    ("assigned", "Manajer kasus: Dewi Lestari", {"manager": "Dewi Lestari"}),
    ("assigned", "Manajer kasus dilepas", {"manager": ""}),
    ("reopened", "Kasus dibuka kembali → Asesmen", {"to": "assessment"}),
    ("risk", "Asesmen risiko: Tinggi (skor 9, tanda bahaya 2)", {"level": "high", "score": 9, "red_flags": 2}),
    ("risk", "Asesmen risiko: Sedang (skor 4, tanda bahaya 0); penilaian profesional: diturunkan dari Tinggi ke Sedang",
     {"level": "medium", "score": 4, "red_flags": 0, "judgement": "lowered", "previous": "high"}),
    ("risk", "Asesmen risiko: Tinggi (skor 1, tanda bahaya 0); penilaian profesional mengubah hasil Rendah",
     {"level": "high", "score": 1, "red_flags": 0, "judgement": "changed", "computed": "low"}),
    ("note", "Catatan: Sesi konseling", {"note_kind": "counselling"}),
    ("note", "Catatan: Kontak dengan korban/pelapor", {"note_kind": "contact"}),
    ("task", "Tugas untuk Dewi Lestari, batas 05-12-2025 16:00",
     {"what": "created", "assignee": "Dewi Lestari", "due": "2025-12-05T16:00:00+07:00"}),
    ("task", "Tugas diselesaikan", {"what": "done"}),
    ("document", "Dokumen diunggah", {"what": "uploaded"}),
    ("document", "Bukti #17 disembunyikan", {"what": "evidence_hidden", "evidence": 17}),
    ("plan", "Rencana intervensi diajukan, menunggu persetujuan supervisor", {"what": "submitted"}),
    ("plan", "Rencana intervensi dicatat", {"what": "recorded"}),
    ("plan", "Rencana intervensi disetujui supervisor", {"what": "approved"}),
    ("plan", "Rencana intervensi ditolak supervisor", {"what": "rejected"}),
    ("closure", "Terminasi diajukan, menunggu persetujuan supervisor", {"what": "requested"}),
    ("closure", "Terminasi ditolak supervisor", {"what": "rejected"}),
    ("closure", "Terminasi disetujui supervisor: Pemantauan → Terminasi", {"what": "approved", "from": "monitoring"}),
    ("deadline", "Kontak pertama tercatat", {"what": "first_contact"}),
    ("deadline", "Laporan diteruskan ke kepolisian", {"what": "police_reported"}),
    ("deadline", "Eskalasi ke supervisor: Laporan ke kepolisian (UU TPKS Pasal 41) terlewati",
     {"what": "escalated", "deadline_kind": "tpks_police"}),
    ("deadline", "Eskalasi ke supervisor: Kontak pertama terlewati", {"what": "escalated", "deadline_kind": "first_contact"}),
    ("consent", "Korban setuju dilaporkan ke kepolisian", {"police_report": True}),
    ("consent", "Korban tidak setuju dilaporkan ke kepolisian", {"police_report": False}),
    ("edited", "Data kejadian diperbarui", {"what": "incident"}),
    ("edited", "Pelaku ditambahkan", {"what": "person_added", "role": "perpetrator"}),
    ("edited", "Data korban diperbarui", {"what": "person_updated", "role": "victim"}),
]
# Sentences no service writes (hand-made rows, older wordings, unknown labels): kept as they were
UNREADABLE = [
    ("status", "Status: Baru → Arsip"),
    ("note", "Catatan: Jenis yang tidak ada"),
    ("risk", "Asesmen risiko: Genting (skor 3, tanda bahaya 1)"),
    ("edited", "Diubah oleh admin lewat basis data"),
    ("opened", ""),
]


@pytest.mark.parametrize(("kind", "text", "params"), OLD_ROWS)
def test_old_sentences_become_kind_and_params(kind, text, params):
    assert migration.legacy_params(kind, text) == (kind, params)


@pytest.mark.parametrize(("kind", "text"), UNREADABLE)
def test_unreadable_sentences_stay_as_legacy_text(kind, text):
    assert migration.legacy_params(kind, text) == ("legacy", {"text": text, "was": kind})


@pytest.mark.parametrize(("kind", "text", "params"), [r for r in OLD_ROWS if r[0] != "task"])
def test_converted_rows_read_as_before_in_indonesian(kind, text, params):
    """The renderer in Bahasa Indonesia gives back the sentence the row held (task dates now read "5 Desember")."""
    with translation.override("id"):
        assert timeline.render(kind, params) == text


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_stored_rows(supervisor, case_manager):
    """Old rows written in the schema before the migration (prose in ``summary``) come out as kind + params."""
    case = case_services.case_open(actor=supervisor, report=make_report(), case_manager=case_manager)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps.get_model("cases", "CaseEvent")
        old.objects.all().delete()
        rows = OLD_ROWS + [(k, t, None) for k, t in UNREADABLE]
        for i, (kind, text, _params) in enumerate(rows):
            old.objects.create(case_id=case.pk, at=timezone.now() + dt.timedelta(seconds=i), actor_id=case_manager.pk,
                               kind=kind, summary=text, reason="alasan tersegel" if i == 0 else "")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    converted = list(CaseEvent.objects.filter(case=case).order_by("at"))
    assert [(e.kind, e.params) for e in converted] == [
        (kind, params) if params is not None else ("legacy", {"text": kind_text, "was": kind})
        for kind, kind_text, params in rows]
    assert converted[0].reason == "alasan tersegel" and converted[0].actor_id == case_manager.pk
    with translation.override("en"):
        texts = [timeline.event_text(e) for e in converted]
    assert texts[0] == "Case opened from report SS-7KQ4-M2PX"
    assert "Risk assessment: Medium (score 4, red flags 0); professional judgement: lowered from High to Medium" in texts
    assert "Task for Dewi Lestari, due 5 December 2025 16:00" in texts
    assert "Diubah oleh admin lewat basis data" in texts  # legacy: shown as it was


def test_new_entries_render_in_the_readers_language(supervisor, case_manager, db):
    case = case_services.case_open(actor=supervisor, report=make_report(reference="SS-TEST-0001"),
                                   case_manager=case_manager)
    case_services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=None)
    case_services.task_create(actor=case_manager, case=case, title="Kunjungan rumah", assigned_to=case_manager,
                              due_at=dt.datetime(2025, 12, 5, 9, 0, tzinfo=dt.UTC))
    events = {e.kind: e for e in case.events.all()}
    assert events["opened"].params == {"reference": "SS-TEST-0001"}
    assert events["status"].params == {"from": "new", "to": "assessment"}
    assert events["task"].params == {"what": "created", "assignee": case_manager.display_name,
                                     "due": "2025-12-05T16:00+07:00"}
    with translation.override("id"):
        assert timeline.event_text(events["opened"]) == "Kasus dibuka dari pengaduan SS-TEST-0001"
        assert timeline.event_text(events["status"]) == "Status: Baru → Asesmen"
        assert timeline.event_text(events["task"]) == f"Tugas untuk {case_manager.display_name}, batas 5 Desember 2025 16:00"
    with translation.override("en"):
        assert timeline.event_text(events["opened"]) == "Case opened from report SS-TEST-0001"
        assert timeline.event_text(events["status"]) == "Status: New → Assessment"
        assert timeline.event_text(events["task"]) == f"Task for {case_manager.display_name}, due 5 December 2025 16:00"


def test_every_kind_has_a_renderer_and_an_english_sentence():
    assert set(timeline.RENDERERS) == set(CaseEvent.Kind.values)
    for kind, _text, params in OLD_ROWS:
        with translation.override("en"):
            english = timeline.render(kind, params)
        with translation.override("id"):
            indonesian = timeline.render(kind, params)
        assert english and english != indonesian, (kind, params)


def test_the_case_page_shows_the_timeline_in_english(supervisor, case_manager, db):
    case = case_services.case_open(actor=supervisor, report=make_report(reference="SS-TEST-0002"),
                                   case_manager=case_manager)
    case_services.case_note_add(actor=case_manager, case=case, kind="home_visit", body="Kunjungan pertama")
    client = verified_client(supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Case opened from report SS-TEST-0002" in page and "Note: Home visit" in page
    assert "Kasus dibuka" not in page and "Catatan: Kunjungan rumah" not in page
    client.cookies["django_language"] = "id"
    page = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Kasus dibuka dari pengaduan SS-TEST-0002" in page and "Catatan: Kunjungan rumah" in page
