"""Who is written to: the reporter's neutral notice after an officer's reply (their channel, their
safe time, never the text, never a do-not-contact number) and staff alerts by preference."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from salingsapa.cases.models import Alert
from salingsapa.cases.services import alert_create
from salingsapa.intake.services import report_message_add
from salingsapa.notify.models import OutboundMessage
from salingsapa.notify.outbound import message_deliver
from salingsapa.notify.safetime import OFFICE_HOURS, next_in_window, safe_hours
from salingsapa.notify.services import (
    NEUTRAL_NOTICE,
    address_index_do_not_contact,
    inbound_seen,
    notify_on_duty,
    staff_preference_set,
)
from tests.casework_helpers import make_report

pytestmark = pytest.mark.django_db

OFFICER_TEXT = "Ibu, suami Anda sudah kami panggil ke kantor polisi besok."


@pytest.fixture
def outbox(settings, tmp_path):
    settings.NOTIFY_TRANSPORT = "file"
    settings.OUTBOX_FILE = str(tmp_path / "outbox.jsonl")
    path = tmp_path / "outbox.jsonl"

    def read():
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    return read


def whatsapp_report(**fields):
    values = {"contact_phone": "0812-7777-6543", "preferred_channel": "whatsapp", "consent_contact": True}
    values.update(fields)
    return make_report(**values)


def test_officer_reply_sends_the_neutral_notice_never_the_text(outbox, case_manager):
    report = whatsapp_report()
    inbound_seen(channel="whatsapp", address="6281277776543", at=timezone.now())
    report_message_add(report=report, sender="staff", body=OFFICER_TEXT, staff_user=case_manager)
    message = OutboundMessage.objects.get()
    assert (message.purpose, message.reference, message.channel) == ("reporter_notice", report.reference, "whatsapp")
    assert message_deliver(message.pk) == "sent"
    assert outbox() == [{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281277776543",
                         "type": "text", "text": {"body": NEUTRAL_NOTICE}}]
    everything = json.dumps(outbox(), ensure_ascii=False)
    for secret in ("suami", "polisi", report.reference, "Kronologi"):
        assert secret not in everything


def test_a_second_reply_while_the_notice_waits_queues_no_second_notice(case_manager):
    report = whatsapp_report()
    report_message_add(report=report, sender="staff", body="Satu", staff_user=case_manager)
    report_message_add(report=report, sender="staff", body="Dua", staff_user=case_manager)
    assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize("fields", [
    {"preferred_channel": "sms"},
    {"preferred_channel": "email", "contact_email": "a@contoh.id"},
    {"preferred_channel": "none"},
    {"preferred_channel": "whatsapp", "consent_contact": False},  # did not agree to be contacted
    {"contact_phone": ""},
])
def test_no_notice_on_a_channel_the_reporter_did_not_choose(case_manager, fields):
    report = whatsapp_report(**fields)
    report_message_add(report=report, sender="staff", body=OFFICER_TEXT, staff_user=case_manager)
    assert OutboundMessage.objects.count() == 0


def test_a_report_made_on_whatsapp_gets_the_notice_there(case_manager):
    report = make_report(channel="whatsapp", contact_phone="0812-7777-6543")
    report_message_add(report=report, sender="staff", body=OFFICER_TEXT, staff_user=case_manager)
    assert OutboundMessage.objects.get().channel == "whatsapp"


def test_reporters_own_message_sends_nothing():
    report = whatsapp_report()
    report_message_add(report=report, sender="reporter", body="Halo petugas")
    assert OutboundMessage.objects.count() == 0


def test_do_not_contact_from_the_reports_index_blocks_the_notice(outbox, case_manager, supervisor):
    report = whatsapp_report()
    address_index_do_not_contact(actor=supervisor, channel="whatsapp", index=report.contact_phone_index,
                                 reason="pelaku memegang ponsel korban")
    report_message_add(report=report, sender="staff", body=OFFICER_TEXT, staff_user=case_manager)
    assert OutboundMessage.objects.get().status == "blocked"
    assert DBTaskResult.objects.filter(task_path__endswith="message_send_job").count() == 0
    assert outbox() == []


def test_the_notice_waits_for_the_safe_time(outbox, case_manager):
    hour = timezone.localtime().hour
    safe_time = "jam 20-22" if hour < 12 else "jam 2-4"
    window = (20, 22) if hour < 12 else (2, 4)
    report = whatsapp_report(safe_time=safe_time)
    report_message_add(report=report, sender="staff", body=OFFICER_TEXT, staff_user=case_manager)
    message = OutboundMessage.objects.get()
    assert (message.window_start, message.window_end) == window
    assert message_deliver(message.pk) == "waiting for the safe time"
    assert outbox() == []
    job = DBTaskResult.objects.filter(task_path__endswith="message_send_job").order_by("-enqueued_at").first()
    opens = timezone.localtime(job.run_after)
    assert (opens.hour, opens.minute) == (window[0], 0) and job.run_after > timezone.now()
    assert OutboundMessage.objects.get().attempts == 0


@pytest.mark.parametrize(("text", "window"), [
    ("", None),
    ("pagi", (6, 11)),
    ("Sore hari saja", (15, 18)),
    ("jam 9-12", (9, 12)),
    ("pukul 19.00 - 21.00", (19, 21)),
    ("7-9 malam", (19, 21)),
    ("setelah jam 8 malam", (20, 22)),
    ("sebelum jam 10", (6, 10)),
    ("kapan saja", (0, 24)),
    ("kalau suami tidak di rumah", OFFICE_HOURS),  # unreadable: office hours, never "any time"
])
def test_safe_hours(text, window):
    assert safe_hours(text) == window


def test_next_in_window():
    local = timezone.localtime().replace(hour=10, minute=30)
    assert next_in_window(local, (9, 12)) == local
    assert next_in_window(local, (19, 22)) == local.replace(hour=19, minute=0, second=0, microsecond=0)
    assert next_in_window(local, (6, 9)) == (local + dt.timedelta(days=1)).replace(hour=6, minute=0, second=0, microsecond=0)


# --- staff --------------------------------------------------------------------------------------------


def test_staff_alert_by_email_carries_the_kind_and_reference_only(supervisor, case_manager):
    supervisor.email = "supervisor@dp3akb.example"
    supervisor.save()
    staff_preference_set(actor=supervisor, notify_by="email")
    report = make_report()
    alert_create(recipients=[supervisor, case_manager], kind=Alert.Kind.ESCALATION,
                 message="Tenggat kontak pertama terlewati untuk ibu Siti", report=report)
    message = OutboundMessage.objects.get()  # the case manager keeps the in-app default
    assert (message.channel, message.purpose, message.reference) == ("email", "staff_alert", report.reference)
    assert message_deliver(message.pk) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["supervisor@dp3akb.example"]
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert "Eskalasi tenggat" in body and report.reference in body and "Siti" not in body


def test_staff_alert_by_whatsapp_and_the_number_is_sealed(outbox, intake_officer):
    staff_preference_set(actor=intake_officer, notify_by="whatsapp", phone="0813 2222 3333")
    intake_officer.refresh_from_db()
    assert intake_officer.notify_phone == "+6281322223333"
    with connection.cursor() as cursor:
        cursor.execute("SELECT notify_phone FROM accounts_user WHERE id = %s", [intake_officer.pk])
        assert "2222" not in cursor.fetchone()[0]
    intake_officer.on_duty = True
    intake_officer.save()
    assert notify_on_duty(reference="P-EMERG-1") == 1
    message = OutboundMessage.objects.get()
    assert message_deliver(message.pk) == "sent"
    [body] = outbox()
    assert body["to"] == "6281322223333"
    assert body["type"] == "template"  # no message from this number in 24 hours: the approved template only


def test_staff_preference_needs_an_address(intake_officer):
    intake_officer.email = ""
    with pytest.raises(ValueError):
        staff_preference_set(actor=intake_officer, notify_by="email")
    with pytest.raises(ValueError):
        staff_preference_set(actor=intake_officer, notify_by="whatsapp", phone="")
    with pytest.raises(ValueError):
        staff_preference_set(actor=intake_officer, notify_by="pager")
