"""The WhatsApp conversation (issue 12 items 2 and 7), driven only by signed webhook calls, the job
runner and the file transport's outbox: from "halo" to a codename, "Cek laporan" with it, the same
codename on /lapor/cek/, BATAL / MENU / DARURAT, errors of the one schema sent back to their step,
state kept sealed in the database, stale conversations, duplicates and out-of-order deliveries."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from pathlib import Path

import pikepdf
import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from salingsapa.channels.models import Conversation, WhatsAppInbound
from salingsapa.channels.whatsapp import conversation as conv_module
from salingsapa.channels.whatsapp.conversation import step_for_field
from salingsapa.channels.whatsapp.handle import message_handle
from salingsapa.channels.whatsapp.parse import parse_message
from salingsapa.intake.evidence import evidence_read
from salingsapa.intake.models import Evidence, PendingUpload, Report, ReportMessage
from salingsapa.intake.services import report_message_add
from tests.outreach_helpers import make_visit
from tests.support.fake_graph import FakeGraph
from tests.whatsapp_helpers import (
    PHONE,
    SENDER,
    Chat,
    body_text,
    button,
    envelope,
    image,
    message,
    post,
    reply_ids,
    run_jobs,
    run_worker,
    start,
    text,
    whatsapp_on,
)


@pytest.fixture
def whatsapp(settings, tmp_path):
    return whatsapp_on(settings, tmp_path)


def fill_report(chat: Chat, *, narrative: str = "Saya dipukul suami saya kemarin malam di rumah.") -> None:
    chat.tap("menu:lapor")
    assert "Siapa yang melapor" in chat.text
    chat.tap("v:victim")
    assert "bahaya" in chat.text
    chat.tap("v:no")
    assert "Ceritakan" in chat.text
    chat.say(narrative)
    assert "Apa yang dialami korban" in chat.text
    chat.say("1, 2")
    assert "Jenis kelamin korban" in chat.text
    chat.tap("v:female")
    chat.tap("v:25-44")
    assert "kecamatan" in chat.text
    chat.tap(chat.first_id())
    assert "kelurahan" in chat.text
    chat.tap(chat.first_id())
    assert "tempat kejadian" in chat.text
    chat.tap("skip")
    assert "Kapan kejadiannya" in chat.text
    chat.say("01/02/2099")  # the schema's rule: not in the future — the same step again
    assert "Tanggal kejadian tidak boleh di masa depan." in chat.text and "Kapan kejadiannya" in chat.text
    chat.say("01/02/2025")
    assert "Hubungan pelaku" in chat.text
    assert "page:1" in [i for out in chat.last for i in reply_ids(out)]  # 11 choices + skip: two pages
    chat.tap("page:1")
    chat.tap("skip")
    chat.tap("skip")  # met_via
    assert "nomor telepon atau tautan" in chat.text
    chat.say("0812-000")  # not a real phone number: the schema says so, asked again
    assert "Nomor telepon" in chat.text and "nomor telepon atau tautan" in chat.text
    chat.say("https://www.instagram.com/pelaku.contoh/")
    assert "menghubungi Anda lewat WhatsApp" in chat.text
    chat.tap("v:yes")
    chat.say("sore hari setelah jam 4")
    chat.tap("skip")  # name
    chat.tap("v:yes")  # share with partners
    assert "Punya bukti" in chat.text


@pytest.mark.django_db
def test_halo_to_codename_then_cek_laporan_then_the_web(client, whatsapp, intake_officer):
    chat = start(client, whatsapp)
    assert "Saling Sapa" in chat.text
    assert {"menu:lapor", "menu:cek", "menu:keliling", "menu:darurat"} <= set(reply_ids(chat.last[-1]))
    for out in chat.last:  # within the Cloud API's limits
        inter = out.get("interactive") or {}
        if inter.get("type") == "list":
            rows = [r for s in inter["action"]["sections"] for r in s["rows"]]
            assert len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    fill_report(chat)
    chat.tap("done")
    assert "Periksa laporan Anda" in chat.text and "Fisik, Psikis" in chat.text
    chat.tap("send")
    match = re.search(r"Nomor pengaduan: (\S+)\nKode rahasia: ([a-z ]+)", chat.text)
    assert match, chat.text
    reference, codename = match.group(1), match.group(2).strip()
    report = Report.objects.get(reference=reference)
    assert report.channel == "whatsapp" and report.violence_forms == ["fisik", "psikis"]
    assert report.contact_phone == PHONE and report.preferred_channel == "whatsapp" and report.consent_contact
    assert report.safe_time == "sore hari setelah jam 4" and report.incident_date == dt.date(2025, 2, 1)
    assert [i.kind for i in report.identifiers.all()] == ["instagram"]
    assert not report.is_emergency
    state = Conversation.objects.get().state
    assert codename not in str(state) and "draft" not in state  # the codename is sent once, kept nowhere

    # "Cek laporan" with the reference and codename, from the menu
    report_message_add(report=report, sender="staff", body="Halo, kami akan menelepon besok pagi.",
                       staff_user=intake_officer)
    chat.say("MENU")
    chat.tap("menu:cek")
    assert "nomor pengaduan" in chat.text
    chat.say(reference)
    chat.say(codename)
    assert report.reference in chat.text and "Diterima" in chat.text
    assert "Halo, kami akan menelepon besok pagi." in chat.text
    chat.say("CEK")
    assert "Belum ada pesan baru dari petugas." in chat.text  # seen once, not repeated
    chat.say("Terima kasih, saya bisa ditelepon jam 10.")
    assert "diteruskan ke petugas" in chat.text
    reply = ReportMessage.objects.filter(report=report, sender="reporter").get()
    assert reply.body == "Terima kasih, saya bisa ditelepon jam 10."

    # the same codename works on the web
    response = client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    assert response.status_code in (302, 303)
    page = client.get("/lapor/cek/")
    assert "Terima kasih, saya bisa ditelepon jam 10." in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_whole_conversation_runs_through_the_real_worker(client, whatsapp):
    chat = start(client, whatsapp, worker=run_worker)
    fill_report(chat)
    chat.tap("done")
    chat.tap("send")
    assert re.search(r"Kode rahasia: [a-z]+( [a-z]+){6}", chat.text)
    assert Report.objects.filter(channel="whatsapp").count() == 1


@pytest.mark.django_db
def test_wrong_codename_and_the_shared_rate_limit(client, whatsapp, settings):
    settings.CODENAME_RATE_LIMIT = 2
    chat = Chat(client, whatsapp)
    for _ in range(2):
        chat.say("CEK")
        chat.say("LP-AAAA-AAAA")
        chat.say("salah salah salah salah salah salah salah")
        assert "salah. Periksa lagi" in chat.text
    chat.say("CEK")
    assert "Terlalu banyak percobaan kode rahasia" in chat.text


@pytest.mark.django_db
def test_batal_drops_the_draft_and_menu_returns(client, whatsapp):
    chat = start(client, whatsapp, "menu:lapor")
    chat.tap("v:family")
    assert Conversation.objects.get().state["draft"]["report"]["reporter_role"] == "family"
    chat.say("menu")
    assert "menu:lanjut" in reply_ids(chat.last[-1])  # the draft waits
    chat.tap("menu:lanjut")
    assert "bahaya" in chat.text
    chat.say("batal")
    assert "Laporan dibatalkan" in chat.text
    assert "draft" not in Conversation.objects.get().state
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_darurat_mid_flow_gives_the_numbers_and_the_report_is_an_emergency(client, whatsapp, settings, tmp_path,
                                                                           intake_officer,
                                                                           django_capture_on_commit_callbacks):
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "alerts.jsonl")
    intake_officer.on_duty = True
    intake_officer.save()
    chat = start(client, whatsapp, "menu:lapor")
    chat.tap("v:witness")
    chat.tap("v:no")
    chat.say("DARURAT")
    assert "112" in chat.text and "129" in chat.text and "08111-129-129" in chat.text
    assert "ditandai darurat" in chat.text
    assert "Ceritakan" in chat.text  # the flow goes on where it was
    chat.say("Tetangga saya memukul anaknya sekarang.")
    chat.say("1")
    chat.tap("v:female")
    chat.tap("v:6-12")
    chat.tap(chat.first_id())
    chat.tap(chat.first_id())
    assert "menghubungi Anda" in chat.text  # optional questions skipped in an emergency
    chat.tap("v:no")
    chat.tap("v:no")
    with django_capture_on_commit_callbacks(execute=True):
        chat.tap("send")
    report = Report.objects.get()
    assert report.is_emergency and report.in_danger_now and report.victim_is_child
    assert "petugas piket sudah diberi tahu" in chat.text
    assert report.reference in (tmp_path / "alerts.jsonl").read_text()


@pytest.mark.django_db
def test_darurat_from_nowhere_and_nomor_darurat_with_the_office_number(client, whatsapp, uptd):
    uptd.phone = "(0254) 123456"
    uptd.save()
    chat = Chat(client, whatsapp)
    chat.say("tolong")
    assert "112" in chat.text and "(0254) 123456" in chat.text and "Siapa yang melapor" in chat.text
    chat.say("batal")
    chat.tap("menu:darurat")
    assert "SAPA 129" in chat.text and "(0254) 123456" in chat.text
    chat.say("menu")
    chat.tap("menu:keliling")
    assert "/konseling-keliling/" in chat.text and "Belum ada jadwal" in chat.text


@pytest.mark.django_db
def test_konseling_keliling_lists_the_next_published_visits(client, whatsapp, case_manager, partner_psychologist):
    make_visit(case_manager, [partner_psychologist], venue_name="SDN Kaligandu 1")  # tomorrow, 2 free slots
    make_visit(case_manager, [partner_psychologist], publish=False, venue_name="Draf rahasia")
    chat = start(client, whatsapp)
    chat.tap("menu:keliling")
    assert "SDN Kaligandu 1" in chat.text and "2 jadwal pribadi kosong" in chat.text and "09.00–10.00" in chat.text
    assert "Draf rahasia" not in chat.text
    chat.say("menu")
    chat.say("English")
    chat.tap("menu:keliling")
    assert "SDN Kaligandu 1" in chat.text and "2 private slots free" in chat.text


@pytest.mark.django_db
def test_english_on_request(client, whatsapp):
    chat = Chat(client, whatsapp)
    chat.say("English")
    assert "What can we help" in chat.text or "Hello" in chat.text
    chat.tap("menu:lapor")
    assert "Who is reporting" in chat.text
    chat.tap("lang:id") if "lang:id" in [i for o in chat.last for i in reply_ids(o)] else chat.say("Indonesia")
    assert "Apa yang bisa kami bantu" in chat.text


@pytest.mark.django_db
def test_final_schema_errors_go_back_to_their_step(client, whatsapp):
    chat = start(client, whatsapp)
    fill_report(chat)
    chat.tap("done")
    conversation = Conversation.objects.get()
    state = conversation.state
    del state["draft"]["report"]["narrative"]  # lost on the way: the final check must catch it
    conversation.state = state
    conversation.save()
    chat.tap("send")
    assert "Ceritakan secara singkat apa yang terjadi." in chat.text and "Ceritakan dengan kata-kata" in chat.text
    chat.say("Cerita pengganti.")
    assert "Periksa laporan Anda" in chat.text  # straight back to the summary
    chat.tap("send")
    assert Report.objects.get().narrative == "Cerita pengganti."


def test_every_schema_field_has_a_step():
    assert step_for_field("victim.age_group") == "victim_age_group"
    assert step_for_field("victim.sex") == "victim_sex"
    assert step_for_field("perpetrator_identifiers.0.value") == "identifier"
    assert step_for_field("contact.phone") == "contact"
    assert step_for_field("kelurahan_code") == "kelurahan"
    assert step_for_field("incident_date") == "incident_date"


@pytest.mark.django_db
def test_state_is_sealed_and_survives_a_restart(client, whatsapp):
    chat = start(client, whatsapp, "menu:lapor")
    chat.tap("v:victim")
    chat.tap("v:no")
    chat.say("Rahasia sekali: saya diancam.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, state, address_index FROM channels_conversation")
        address, state, index = cursor.fetchone()
    assert address.startswith("s1:") and state.startswith("s1:") and SENDER not in index
    assert "diancam" not in state and SENDER not in address
    # a "restart": nothing is kept in memory — the next message continues from the database
    chat.say("3")
    assert "Jenis kelamin korban" in chat.text


@pytest.mark.django_db
def test_stale_conversations_start_again(client, whatsapp):
    chat = start(client, whatsapp, "menu:lapor")
    Conversation.objects.update(updated_at=timezone.now() - dt.timedelta(hours=25))
    chat.say("Saya sendiri")
    assert "Apa yang bisa kami bantu" in chat.text and "draft" not in Conversation.objects.get().state


@pytest.mark.django_db
def test_unsupported_types_get_a_polite_reply_and_break_nothing(client, whatsapp):
    chat = start(client, whatsapp, "menu:lapor")
    chat.send({"from": SENDER, "id": "wamid.STICKER1", "timestamp": str(int(timezone.now().timestamp())),
               "type": "sticker", "sticker": {"mime_type": "image/webp", "sha256": "x", "id": "1"}})
    assert "belum bisa kami baca" in chat.text and "Siapa yang melapor" in chat.text
    chat.send({"from": SENDER, "id": "wamid.LOC1", "timestamp": str(int(timezone.now().timestamp()) + 5),
               "type": "location", "location": {"latitude": -6.12, "longitude": 106.15}})
    assert "Lokasi dari peta tidak kami simpan" in chat.text
    assert "location" not in str(Conversation.objects.get().state)


@pytest.mark.django_db
def test_duplicate_delivery_is_handled_once(client, whatsapp):
    payload = envelope([text("halo", mid="wamid.DUP1")])
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    run_jobs()
    assert WhatsAppInbound.objects.count() == 1
    assert len(whatsapp.new()) == 2  # greeting + menu, once


@pytest.mark.django_db
def test_out_of_order_message_moves_no_step(client, whatsapp):
    chat = start(client, whatsapp, "menu:lapor")
    now = int(timezone.now().timestamp())
    chat.send(button("v:victim", ts=str(now + 100)))
    assert "bahaya" in chat.text
    chat.send(text("1", ts=str(now + 50)))  # sent before the tap, delivered after it
    assert chat.last == []
    assert WhatsAppInbound.objects.filter(outcome="late").count() == 1
    assert Conversation.objects.get().state["step"] == "report:in_danger_now"


@pytest.mark.django_db
def test_several_people_in_one_delivery(client, whatsapp):
    other = "6281398765432"
    payload = envelope([text("halo")])
    payload["entry"].append(envelope([text("halo", sender=other)], sender=other)["entry"][0])
    post(client, payload)
    run_jobs()
    assert sorted({o["to"] for o in whatsapp.new()}) == sorted([SENDER, other])
    assert Conversation.objects.count() == 2


def _jpeg() -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


@pytest.fixture
def graph(settings):
    """notify's stand-in for the Graph API (media by id); replies still go to the file outbox."""
    with FakeGraph(token="test-token") as fake:
        settings.WHATSAPP_API_BASE = fake.base
        settings.WHATSAPP_TOKEN = "test-token"
        settings.WHATSAPP_PHONE_NUMBER_ID = "1098765432"
        yield fake


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = "Nama Asli Pelapor"
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.django_db
def test_media_by_id_during_a_report_and_in_a_checked_session_becomes_sealed_evidence(client, whatsapp, graph,
                                                                                         settings):
    graph.add_media("1001", _jpeg(), "image/jpeg")
    graph.add_media("1002", _pdf(), "application/pdf")
    graph.add_media("1003", b"PK\x03\x04 not a photo", "application/zip")
    graph.add_media("1004", _jpeg() + b"\0" * 4096, "image/jpeg")
    chat = start(client, whatsapp)
    fill_report(chat)
    chat.send(image("1001"))
    assert "Berkas diterima (1)" in chat.text and "done" in reply_ids(chat.last[-1])
    chat.send(message("document", document={"filename": "visum.pdf", "mime_type": "application/pdf", "sha256": "x",
                                            "id": "1002"}))
    assert "Berkas diterima (2)" in chat.text
    chat.send(message("document", document={"filename": "a.zip", "mime_type": "application/zip", "sha256": "x",
                                            "id": "1003"}))
    assert "Jenis berkas tidak diterima" in chat.text
    chat.send(image("does-not-exist"))
    assert "tidak bisa kami ambil" in chat.text
    chat.tap("done")
    chat.tap("send")
    report = Report.objects.get()
    rows = list(report.evidence.order_by("pk"))
    assert [(e.source, e.content_type) for e in rows] == [("whatsapp", "image/jpeg"), ("whatsapp", "application/pdf")]
    assert b"KameraRahasia" not in evidence_read(rows[0]) and b"Nama Asli Pelapor" not in evidence_read(rows[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_name FROM intake_evidence")
        assert all(name.startswith("s1:") for (name,) in cursor.fetchall())
    settings.EVIDENCE_MAX_BYTES = len(_jpeg()) + 100  # oversized: a polite message, nothing stored
    chat.send(image("1004"))  # the session right after the report is a checked one
    assert "paling besar" in chat.text
    chat.send(image("1001"))
    assert "dilampirkan pada laporan" in chat.text
    assert Evidence.objects.filter(report=report, source="whatsapp").count() == 3
    assert all("Authorization" in r["headers"] or "authorization" in r["headers"]
               for r in graph.requests if r["path"].startswith("/v23.0/10"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_are_handled_once(whatsapp):
    msg = parse_message(text("halo", mid="wamid.RACE1"))
    assert msg is not None
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            outcomes.append(message_handle(msg))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate"] * 3 + ["handled"]
    assert WhatsAppInbound.objects.count() == 1 and Conversation.objects.count() == 1
    run_worker()  # notify's send jobs: the greeting and the menu, once
    assert len(whatsapp.new()) == 2


@pytest.mark.django_db
def test_a_template_quick_reply_cek_opens_the_check(client, whatsapp):
    chat = Chat(client, whatsapp)
    chat.send(message_button := {"from": SENDER, "id": "wamid.QR1", "timestamp": str(int(timezone.now().timestamp())),
                                 "type": "button", "button": {"payload": "CEK", "text": "Cek pesan"}})
    assert message_button["type"] == "button"
    assert "Tulis nomor pengaduan" in chat.text


@pytest.mark.django_db
def test_a_message_that_breaks_gets_an_apology_and_the_others_go_on(client, whatsapp, monkeypatch):
    real = conv_module._dispatch

    def fragile(turn):
        if turn.message.text == "meledak":
            raise RuntimeError("isi pesan rahasia")
        real(turn)

    monkeypatch.setattr(conv_module, "_dispatch", fragile)
    post(client, envelope([text("meledak"), text("halo")]))
    run_jobs()
    out = whatsapp.new()
    assert "ada gangguan" in body_text(out[0]) and "Saling Sapa" in body_text(out[1])
    assert sorted(WhatsAppInbound.objects.values_list("outcome", flat=True)) == ["failed", "handled"]
    run_jobs()  # nothing is retried
    assert whatsapp.new() == []


@pytest.mark.django_db
def test_a_photo_sent_mid_question_joins_the_draft_and_the_question_is_asked_again(client, whatsapp, graph,
                                                                                    settings):
    graph.add_media("2001", _jpeg(), "image/jpeg")
    chat = start(client, whatsapp, "menu:lapor")
    chat.tap("v:victim")
    chat.tap("v:no")
    chat.send(image("2001"))
    assert "Berkas diterima (1)" in chat.text and "Ceritakan" in chat.text
    assert len(Conversation.objects.get().state["draft"]["evidence"]) == 1
    [stored] = PendingUpload.objects.values_list("storage_name", flat=True)
    sealed = list(Path(settings.MEDIA_ROOT).rglob(stored.split("/")[-1]))
    assert len(sealed) == 1
    chat.say("batal")
    assert not Evidence.objects.exists() and not PendingUpload.objects.exists()  # the sealed file is deleted too
    assert not sealed[0].exists()
