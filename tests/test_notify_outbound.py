"""Outbound messages: Meta's body shapes, the queue (same transaction, do-not-contact), statuses,
the file transport's exact body, the Cloud API's error classes against a fake Graph server."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from salingsapa.notify.models import ContactAddress, OutboundMessage
from salingsapa.notify.outbound import message_deliver
from salingsapa.notify.services import (
    NEUTRAL_NOTICE,
    MediaUnavailable,
    address_do_not_contact,
    address_may_contact,
    email_message,
    inbound_seen,
    mask_address,
    media_download,
    message_queue,
    sms_text,
    status_record,
    whatsapp_buttons,
    whatsapp_list,
    whatsapp_text,
)
from salingsapa.notify.tasks import outbound_prune_job
from tests.support.fake_graph import fake_graph  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PHONE = "0812-3456-7123"
WA_ID = "6281234567123"


def outbox(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def send_jobs():
    return DBTaskResult.objects.filter(task_path="salingsapa.notify.outbound.message_send_job")


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.NOTIFY_TRANSPORT = "file"
    settings.OUTBOX_FILE = str(tmp_path / "outbox.jsonl")
    return tmp_path / "outbox.jsonl"


def window_open(address=WA_ID):
    inbound_seen(channel="whatsapp", address=address, at=timezone.now() - dt.timedelta(minutes=5))


# --- shapes ----------------------------------------------------------------------------------------


def test_text_and_interactive_shapes_are_metas():
    assert whatsapp_text("Halo") == {"type": "text", "text": {"body": "Halo"}}
    assert whatsapp_buttons("Pilih", [("lapor", "Lapor kekerasan"), ("cek", "Cek laporan")]) == {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pilih"},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": "lapor", "title": "Lapor kekerasan"}},
                {"type": "reply", "reply": {"id": "cek", "title": "Cek laporan"}},
            ]},
        },
    }
    assert whatsapp_list("Menu", "Buka menu", [("a", "Lapor", "Buat laporan baru"), ("b", "Darurat", "")], "Layanan") == {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Menu"},
            "action": {"button": "Buka menu", "sections": [{"title": "Layanan", "rows": [
                {"id": "a", "title": "Lapor", "description": "Buat laporan baru"},
                {"id": "b", "title": "Darurat"},
            ]}]},
        },
    }


@pytest.mark.parametrize("buttons", [
    [],
    [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")],
    [("a", "x" * 21)],
    [("a" * 257, "ok")],
    [("a", "satu"), ("a", "dua")],
])
def test_bad_buttons_are_refused(buttons):
    with pytest.raises(ValueError):
        whatsapp_buttons("Pilih", buttons)


@pytest.mark.parametrize("rows", [
    [],
    [(str(i), f"baris {i}", "") for i in range(11)],
    [("a", "x" * 25, "")],
    [("a", "ok", "d" * 73)],
])
def test_bad_lists_are_refused(rows):
    with pytest.raises(ValueError):
        whatsapp_list("Menu", "Buka", rows)


def test_limits_themselves_are_allowed():
    whatsapp_buttons("Pilih", [("a" * 256, "x" * 20), ("b", "2"), ("c", "3")])
    whatsapp_list("Menu", "x" * 20, [(str(i), "t" * 24, "d" * 72) for i in range(10)], "s" * 24)


def test_mask_address():
    assert mask_address("+6281234567123") == "+62 8** **** 123"
    assert mask_address("6285511112222") == "+62 8** **** 222"
    assert mask_address("nama@contoh.id") == "n***@***.id"


# --- queue -------------------------------------------------------------------------------------------


def test_queue_seals_the_address_and_writes_the_job_in_the_same_transaction():
    with transaction.atomic():
        message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="test")
        assert send_jobs().count() == 1  # already written, inside the caller's transaction
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, content, address_index FROM notify_outboundmessage WHERE id = %s", [message.pk])
        address, content, index = cursor.fetchone()
    assert "8123" not in address and "Halo" not in content  # sealed in the database
    assert len(index) == 64
    assert OutboundMessage.objects.get(pk=message.pk).address == "+6281234567123"
    # the same number spelled as a WhatsApp id finds the same blind index
    other = message_queue(channel="whatsapp", address=WA_ID, content=whatsapp_text("Halo"), purpose="test")
    assert other.address_index == message.address_index


def test_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="test")
        raise RuntimeError("the record that caused it failed")
    assert OutboundMessage.objects.count() == 0
    assert send_jobs().count() == 0


def test_bad_address_and_content_are_refused():
    with pytest.raises(ValueError):
        message_queue(channel="whatsapp", address="bukan nomor", content=whatsapp_text("Halo"), purpose="t")
    with pytest.raises(ValueError):
        message_queue(channel="sms", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    with pytest.raises(ValueError):
        message_queue(channel="fax", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    assert OutboundMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_do_not_contact_blocks_new_and_queued_messages_on_every_phone_channel(supervisor, file_outbox):
    queued = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    assert address_may_contact(channel="whatsapp", address=WA_ID)
    stopped = address_do_not_contact(actor=supervisor, channel="whatsapp", address=WA_ID, reason="ponsel dipantau pelaku")
    assert stopped == 1
    assert not address_may_contact(channel="whatsapp", address=PHONE)
    assert not address_may_contact(channel="sms", address=PHONE)  # the same phone on another channel
    later = message_queue(channel="sms", address="+62 812 3456 7123", content={"type": "sms", "body": "Halo"}, purpose="t")
    assert later.status == OutboundMessage.Status.BLOCKED
    assert OutboundMessage.objects.get(pk=queued.pk).status == OutboundMessage.Status.BLOCKED
    call_command("worker", "--burst", "--no-periodic", verbosity=0)
    assert outbox(file_outbox) == []  # nothing ever left
    row = ContactAddress.objects.get(channel="whatsapp")
    assert row.do_not_contact_reason == "ponsel dipantau pelaku" and row.do_not_contact_by == supervisor
    with connection.cursor() as cursor:
        cursor.execute("SELECT do_not_contact_reason FROM notify_contactaddress WHERE id = %s", [row.pk])
        assert "dipantau" not in cursor.fetchone()[0]


# --- the file transport and the worker -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_burst_writes_exactly_the_documented_body(file_outbox):
    window_open()
    message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo, ini Saling Sapa."), purpose="t")
    message_queue(channel="whatsapp", address=PHONE, content=whatsapp_buttons("Pilih", [("menu", "Menu")]), purpose="t")
    call_command("worker", "--burst", "--no-periodic", verbosity=0)
    assert outbox(file_outbox) == [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "text",
         "text": {"body": "Halo, ini Saling Sapa."}},
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "interactive",
         "interactive": {"type": "button", "body": {"text": "Pilih"},
                         "action": {"buttons": [{"type": "reply", "reply": {"id": "menu", "title": "Menu"}}]}}},
    ]
    assert list(OutboundMessage.objects.values_list("status", "attempts")) == [("sent", 1), ("sent", 1)]
    assert all(m.provider_id.startswith("wamid.") for m in OutboundMessage.objects.all())


def test_outside_the_24_hour_window_only_the_template_goes(file_outbox, settings):
    settings.WHATSAPP_TEMPLATE = "pesan_baru"
    inbound_seen(channel="whatsapp", address=WA_ID, at=timezone.now() - dt.timedelta(hours=25))
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Ada balasan petugas"), purpose="t")
    assert message_deliver(message.pk) == "sent"
    assert outbox(file_outbox) == [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "template",
         "template": {"name": "pesan_baru", "language": {"code": "id"}}},
    ]
    assert OutboundMessage.objects.get(pk=message.pk).as_template


def test_inbound_seen_keeps_the_latest_time():
    now = timezone.now()
    inbound_seen(channel="whatsapp", address=WA_ID, at=now)
    inbound_seen(channel="whatsapp", address=PHONE, at=now - dt.timedelta(hours=3))  # late, older delivery
    assert ContactAddress.objects.get().last_inbound_at == now


# --- statuses ------------------------------------------------------------------------------------------


def test_statuses_out_of_order_never_go_backwards(file_outbox):
    window_open()
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    message_deliver(message.pk)
    wamid = OutboundMessage.objects.get(pk=message.pk).provider_id
    t0 = timezone.now()
    assert status_record(provider_id=wamid, status="read", at=t0 + dt.timedelta(seconds=20))
    assert status_record(provider_id=wamid, status="delivered", at=t0 + dt.timedelta(seconds=10))
    assert status_record(provider_id=wamid, status="sent", at=t0 + dt.timedelta(seconds=5))
    assert status_record(provider_id=wamid, status="failed", at=t0 + dt.timedelta(seconds=30), error_code=131026)
    row = OutboundMessage.objects.get(pk=message.pk)
    assert row.status == "read"
    assert row.delivered_at == t0 + dt.timedelta(seconds=10) and row.read_at == t0 + dt.timedelta(seconds=20)
    assert row.error_code is None and row.failed_at is None
    assert status_record(provider_id="wamid.unknown", status="read", at=t0) is False


def test_failed_status_is_recorded_and_131047_turns_into_the_template(file_outbox):
    window_open()
    first = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Satu"), purpose="t")
    second = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Dua"), purpose="t")
    message_deliver(first.pk)
    message_deliver(second.pk)
    first, second = OutboundMessage.objects.get(pk=first.pk), OutboundMessage.objects.get(pk=second.pk)
    now = timezone.now()
    status_record(provider_id=first.provider_id, status="failed", at=now, error_code=131026, error_title="Message undeliverable")
    first.refresh_from_db()
    assert (first.status, first.error_code, first.error_title) == ("failed", 131026, "Message undeliverable")
    status_record(provider_id=second.provider_id, status="failed", at=now, error_code=131047, error_title="Re-engagement message")
    second.refresh_from_db()
    assert second.status == "queued" and second.as_template
    message_deliver(second.pk)
    assert outbox(file_outbox)[-1]["type"] == "template"
    assert OutboundMessage.objects.get(pk=second.pk).status == "sent"


# --- the Cloud API against the fake Graph server ---------------------------------------------------------


def test_cloud_sends_the_same_body_with_the_token(fake_graph):  # noqa: F811
    window_open()
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo 👋 ini Saling Sapa"), purpose="t")
    assert message_deliver(message.pk) == "sent"
    request = fake_graph.requests[-1]
    assert request["path"] == "/v23.0/1098765432/messages"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
                               "type": "text", "text": {"body": "Halo 👋 ini Saling Sapa"}}
    assert OutboundMessage.objects.get(pk=message.pk).provider_id == request["id"]


def test_throughput_error_is_retried_with_backoff_then_sent(fake_graph, settings):  # noqa: F811
    settings.NOTIFY_RETRY_SECONDS = 30
    window_open()
    fake_graph.fail_next(130429)
    fake_graph.fail_next(500)
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    before = timezone.now()
    assert message_deliver(message.pk) == "retry"
    row = OutboundMessage.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.error_code) == ("queued", 1, 130429)
    retry = send_jobs().order_by("-enqueued_at").first()
    assert retry.run_after >= before + dt.timedelta(seconds=30)
    assert message_deliver(message.pk) == "retry"  # then a bare 500
    row.refresh_from_db()
    assert (row.attempts, row.error_code) == (2, None)
    assert row.next_attempt_at >= before + dt.timedelta(seconds=60)  # doubled
    assert message_deliver(message.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error_code, row.error_title) == ("sent", 3, None, "")
    assert len(fake_graph.sent) == 1


def test_attempts_are_capped(fake_graph, settings):  # noqa: F811
    settings.NOTIFY_MAX_ATTEMPTS = 2
    window_open()
    fake_graph.fail_next(130429, times=5)
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    assert message_deliver(message.pk) == "retry"
    assert message_deliver(message.pk) == "failed"
    row = OutboundMessage.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.error_code) == ("failed", 2, 130429)
    assert "Rate limit" in row.error_title


def test_131047_sends_the_template_instead(fake_graph, settings):  # noqa: F811
    settings.WHATSAPP_TEMPLATE = "saling_sapa_pesan_baru"
    window_open()  # we think the window is open; Meta knows better
    fake_graph.fail_next(131047)
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Balasan petugas"), purpose="t")
    assert message_deliver(message.pk) == "sent"
    assert fake_graph.sent == [{"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
                                "type": "template",
                                "template": {"name": "saling_sapa_pesan_baru", "language": {"code": "id"}}}]
    assert OutboundMessage.objects.get(pk=message.pk).as_template


@pytest.mark.parametrize("code", [131026, 131051, 100])
def test_permanent_errors_are_recorded_not_retried(fake_graph, code):  # noqa: F811
    window_open()
    fake_graph.fail_next(code)
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    jobs_before = send_jobs().count()
    assert message_deliver(message.pk) == "failed"
    row = OutboundMessage.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.error_code) == ("failed", 1, code)
    assert row.error_title.startswith(f"(#{code})")
    assert send_jobs().count() == jobs_before  # no retry
    assert message_deliver(message.pk) == "skipped"


def test_network_failure_is_temporary(settings):
    settings.NOTIFY_TRANSPORT = "cloud"
    settings.WHATSAPP_API_BASE = "http://127.0.0.1:9/v23.0"  # discard port: nothing listens
    settings.WHATSAPP_TOKEN, settings.WHATSAPP_PHONE_NUMBER_ID = "t", "1"
    window_open()
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")
    assert message_deliver(message.pk) == "retry"
    assert OutboundMessage.objects.get(pk=message.pk).error_title.startswith("network")


def test_media_download_through_the_fake_graph(fake_graph, settings):  # noqa: F811
    fake_graph.add_media("1234567890", b"\xff\xd8\xffJPEGDATA", "image/jpeg")
    assert media_download("1234567890") == (b"\xff\xd8\xffJPEGDATA", "image/jpeg")
    with pytest.raises(MediaUnavailable):
        media_download("999")
    with pytest.raises(MediaUnavailable):
        media_download("../etc")
    settings.EVIDENCE_MAX_BYTES = 4
    with pytest.raises(MediaUnavailable):
        media_download("1234567890")
    settings.WHATSAPP_TOKEN = "wrong"
    with pytest.raises(MediaUnavailable):
        media_download("1234567890")


def test_neutral_notice_text():
    assert NEUTRAL_NOTICE == "Ada pesan baru untuk Anda di Saling Sapa. Balas CEK untuk membaca."


# --- SMS and email -------------------------------------------------------------------------------------


def test_sms_through_the_file_gateway(settings, tmp_path):
    settings.SMS_GATEWAY = "file"
    settings.SMS_OUTBOX_FILE = str(tmp_path / "sms.jsonl")
    message = message_queue(channel="sms", address=PHONE, content=sms_text("Ada pesan baru."), purpose="t")
    assert message_deliver(message.pk) == "sent"
    assert outbox(tmp_path / "sms.jsonl") == [{"to": "+6281234567123", "message": "Ada pesan baru."}]


def test_sms_http_gateway_errors(settings, fake_graph):  # noqa: F811  (any local server answering 404 will do)
    settings.SMS_GATEWAY = "http"
    settings.SMS_GATEWAY_URL = f"{fake_graph.root}/sms"
    message = message_queue(channel="sms", address=PHONE, content=sms_text("Halo"), purpose="t")
    assert message_deliver(message.pk) == "failed"  # 4xx: permanent
    assert OutboundMessage.objects.get(pk=message.pk).error_code == 401  # no bearer token for the fake


def test_email_through_djangos_backend():
    message = message_queue(channel="email", address="Petugas@DP3AKB.example", purpose="t",
                            content=email_message("Saling Sapa: peringatan baru", "Buka aplikasi staf."))
    assert message.address == "petugas@dp3akb.example"
    assert message_deliver(message.pk) == "sent"
    assert [(m.to, m.subject) for m in mail.outbox] == [(["petugas@dp3akb.example"], "Saling Sapa: peringatan baru")]


def test_console_sender_logs_no_number_and_no_text(caplog, settings):
    settings.NOTIFY_TRANSPORT = "console"
    window_open()
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Rahasia sekali"), purpose="t")
    with caplog.at_level("INFO", logger="salingsapa.notify"):
        assert message_deliver(message.pk) == "sent"
    assert "+62 8** **** 123" in caplog.text
    assert "Rahasia" not in caplog.text and "3456" not in caplog.text


# --- retention -------------------------------------------------------------------------------------------


def test_finished_messages_lose_address_and_content_after_the_retention_period(file_outbox):
    window_open()
    old = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Lama"), purpose="t")
    waiting = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Antre"), purpose="t")
    message_deliver(old.pk)
    OutboundMessage.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=timezone.now() - dt.timedelta(days=40))
    assert outbound_prune_job.call() == {"pruned": 1}
    old, waiting = OutboundMessage.objects.get(pk=old.pk), OutboundMessage.objects.get(pk=waiting.pk)
    assert (old.address, old.content, old.status) == ("", {}, "sent")  # the status and errors stay for the staff list
    assert waiting.address == "+6281234567123"  # still to be sent: kept
    assert outbound_prune_job.call() == {"pruned": 0}  # once


def test_marked_do_not_contact_while_sending_stays_blocked(monkeypatch, supervisor):
    window_open()
    message = message_queue(channel="whatsapp", address=PHONE, content=whatsapp_text("Halo"), purpose="t")

    def send_while_staff_mark_the_number(msg, now):
        address_do_not_contact(actor=supervisor, channel="whatsapp", address=PHONE, reason="dipantau")
        return "wamid.RACE"

    monkeypatch.setattr("salingsapa.notify.outbound._send_once", send_while_staff_mark_the_number)
    assert message_deliver(message.pk) == "superseded"
    row = OutboundMessage.objects.get(pk=message.pk)
    assert (row.status, row.provider_id) == ("blocked", "wamid.RACE")  # it did go out once: staff can see that
