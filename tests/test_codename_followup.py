"""Anonymous follow-up at /lapor/cek: reference + codename, status, the two-way thread, rate limits."""

from __future__ import annotations

import pytest

from salingsapa.core.models import AuditEvent
from salingsapa.intake.codenames import codename_entropy_bits, codename_new, normalise_codename, wordlist
from salingsapa.intake.models import Report, ReportMessage
from salingsapa.intake.services import ReportInvalid, report_message_add
from tests.reporting import fill_steps, submit


@pytest.fixture
def reported(client, db):
    fill_steps(client)
    reference, codename = submit(client)
    client.get("/keluar/")  # a fresh visit later
    return reference, codename


def login(client, reference, codename):
    return client.post("/lapor/cek/", {"reference": reference, "codename": codename})


def test_codename_has_seven_words_from_the_shipped_list_and_77_bits():
    words = wordlist()
    assert len(words) >= 2048 and all(w.isalpha() and w.islower() for w in words)
    codename = codename_new()
    assert len(codename.split()) == 7 and all(w in words for w in codename.split())
    assert codename_entropy_bits() >= 77


def test_codename_is_typed_back_forgivingly():
    assert normalise_codename("  Satu-DUA  tiga.empat ") == "satu dua tiga empat"


def test_right_codename_opens_status_and_thread(client, reported, intake_officer):
    reference, codename = reported
    report = Report.objects.get(reference=reference)
    report_message_add(report=report, sender="staff", body="Terima kasih, kami akan menghubungi Anda besok.",
                       staff_user=intake_officer)
    response = login(client, reference.lower().replace("-", " "), codename.upper())
    assert response.status_code == 303 and response["Location"] == "/lapor/cek/"
    page = client.get("/lapor/cek/")
    text = page.content.decode()
    assert page["Cache-Control"].startswith("no-store")
    assert reference in text
    assert "Diterima" in text
    assert "kami akan menghubungi Anda besok" in text
    assert "Petugas" in text


def test_reporter_can_add_a_message_stored_encrypted(client, reported):
    reference, codename = reported
    login(client, reference, codename)
    response = client.post("/lapor/cek/pesan/", {"body": "Pelaku datang lagi tadi malam."})
    assert response.status_code == 303
    message = ReportMessage.objects.get()
    assert message.sender == "reporter" and message.body == "Pelaku datang lagi tadi malam."
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM intake_reportmessage")
        raw = cursor.fetchone()[0]
    assert "Pelaku datang" not in raw and raw.startswith("s1:")
    assert "Pelaku datang lagi tadi malam." in client.get("/lapor/cek/").content.decode()
    empty = client.post("/lapor/cek/pesan/", {"body": ""})
    assert empty.status_code == 400 and "Tulis pesan Anda." in empty.content.decode()


def test_wrong_codename_is_refused_with_a_message(client, reported):
    reference, _codename = reported
    response = login(client, reference, "satu dua tiga empat lima enam tujuh")
    assert response.status_code == 400
    assert "salah" in response.content.decode()
    assert "Percakapan" not in client.get("/lapor/cek/").content.decode()


def test_wrong_codenames_are_rate_limited_per_client(client, reported, settings):
    settings.CODENAME_RATE_LIMIT = 3
    reference, codename = reported
    for _ in range(3):
        assert login(client, reference, "salah sekali kode ini bukan punya saya").status_code == 400
    response = login(client, reference, codename)  # even the right one waits now
    assert response.status_code == 429
    assert "Retry-After" in response


def test_wrong_codenames_for_one_reference_are_limited_across_clients(client, reported, settings):
    settings.CODENAME_RATE_LIMIT = 2  # per reference: twice that, from any address
    reference, _codename = reported
    for i in range(4):
        response = client.post("/lapor/cek/", {"reference": reference, "codename": "kode salah"},
                               REMOTE_ADDR=f"10.0.0.{i}")
        assert response.status_code == 400
    response = client.post("/lapor/cek/", {"reference": reference, "codename": "kode salah"}, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429


def test_unknown_reference_is_refused_like_a_wrong_codename(client, db):
    response = login(client, "LP-ZZZZ-ZZZZ", "apa saja")
    assert response.status_code == 400 and "salah" in response.content.decode()


def test_follow_up_session_ends_on_close(client, reported):
    reference, codename = reported
    login(client, reference, codename)
    client.post("/lapor/cek/tutup/")
    assert "Buka laporan" in client.get("/lapor/cek/").content.decode()


def test_posting_without_a_follow_up_session_does_nothing(client, db):
    response = client.post("/lapor/cek/pesan/", {"body": "halo"})
    assert response.status_code == 303
    assert ReportMessage.objects.count() == 0


def test_report_message_add_for_staff_needs_a_user_and_is_audited(db, reported, intake_officer):
    report = Report.objects.get(reference=reported[0])
    with pytest.raises(ValueError):
        report_message_add(report=report, sender="staff", body="Halo")
    with pytest.raises(ReportInvalid):
        report_message_add(report=report, sender="reporter", body="   ")
    message = report_message_add(report=report, sender="staff", body="Halo", staff_user=intake_officer)
    event = AuditEvent.objects.filter(object_type="report_message", object_id=str(message.pk)).get()
    assert event.actor_id == intake_officer.pk
    assert "Halo" not in str(event.detail)


def test_follow_up_reads_and_wrong_attempts_are_audited_without_the_codename(client, reported):
    reference, codename = reported
    login(client, reference, "kode yang salah")
    login(client, reference, codename)
    events = AuditEvent.objects.filter(object_type="report", detail__purpose="codename-followup")
    assert sorted(e.action for e in events) == ["denied", "read"]
    assert all(e.actor_label == "public" for e in events)
    assert codename.split()[0] not in str([e.detail for e in events])


def test_intake_queue_puts_emergencies_first(db, intake_officer, partner_psychologist):
    from salingsapa.intake.selectors import intake_queue
    from salingsapa.intake.services import report_create

    def make(danger):
        return report_create(data={"reporter_role": "victim", "in_danger_now": danger, "narrative": "cerita",
                                   "violence_forms": ["psikis"], "victim": {"sex": "female", "age_group": "25-44"},
                                   "kelurahan_code": "36.73.01.1001"},
                             channel="web").report

    ordinary, urgent = make(False), make(True)
    assert list(intake_queue(user=intake_officer)) == [urgent, ordinary]
    assert list(intake_queue(user=partner_psychologist)) == []


def test_follow_up_session_expires_after_15_idle_minutes(client, reported):
    from salingsapa.public import draft as drafts

    reference, codename = reported
    login(client, reference, codename)
    session = client.session
    value = session[drafts.FOLLOWUP_KEY]
    value["seen"] -= drafts.FOLLOWUP_IDLE_SECONDS + 1
    session[drafts.FOLLOWUP_KEY] = value
    session.save()
    assert "Buka laporan" in client.get("/lapor/cek/").content.decode()
