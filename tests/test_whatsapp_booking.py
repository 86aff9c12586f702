"""Booking a konseling keliling slot from the WhatsApp menu (issue 13, item 2: "on the web now, and from
the WhatsApp menu once that channel exists"), driven only by signed webhook calls in the Cloud API's
shapes, the job runner and the file transport's outbox: the last slot, the rota, the codename on the
web's cancel page, a full visit, a redelivered tap, English, replies that are not understood,
"JANJI" to cancel, do-not-contact, and the sealed number."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection

from salingsapa.channels.models import Conversation, WhatsAppInbound
from salingsapa.channels.whatsapp.conversation import respond
from salingsapa.channels.whatsapp.parse import parse_message
from salingsapa.notify.services import address_do_not_contact
from salingsapa.outreach import services
from salingsapa.outreach.models import Booking
from tests.casework_helpers import verified_client
from tests.outreach_helpers import make_visit
from tests.whatsapp_helpers import (
    PHONE,
    SENDER,
    Chat,
    button,
    envelope,
    message,
    post,
    reply_ids,
    run_jobs,
    start,
    text,
    whatsapp_on,
)

pytestmark = pytest.mark.django_db
RECEIPT = re.compile(r"(?:Nomor janji|Appointment number): (KK-\S+)\n(?:Kode rahasia|Codename): ([a-z]+(?: [a-z]+){6})")


@pytest.fixture
def whatsapp(settings, tmp_path):
    return whatsapp_on(settings, tmp_path)


def within_limits(chat: Chat) -> None:
    """Every reply fits the Cloud API: ≤ 10 rows of ≤ 24/72 characters, ≤ 3 buttons of ≤ 20, body ≤ 1024."""
    for out in chat.last:
        inter = out.get("interactive") or {}
        if not inter:
            continue
        assert len(inter["body"]["text"]) <= 1024
        action = inter["action"]
        if inter["type"] == "list":
            rows = [r for s in action["sections"] for r in s["rows"]]
            assert 1 <= len(rows) <= 10 and len(action["button"]) <= 20
            assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 and len(r["id"]) <= 200
                       for r in rows)
        else:
            assert 1 <= len(action["buttons"]) <= 3
            assert all(len(b["reply"]["title"]) <= 20 for b in action["buttons"])


def to_confirm(chat: Chat, visit_id: int, *, identity: str = "kk:anon") -> None:
    chat.tap("menu:keliling")
    chat.tap(f"kk:v:{visit_id}")
    if "kk:s:0" in [i for out in chat.last for i in reply_ids(out)]:
        chat.tap("kk:s:0")
    chat.tap(identity)
    if identity == "kk:contact":
        chat.tap("skip")


def test_the_last_slot_booked_on_whatsapp_is_in_the_rota_and_its_codename_cancels_on_the_web(
        client, whatsapp, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist], venue_name="Posyandu Mawar")  # two 30-minute slots
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # one is taken on the web
    chat = start(client, whatsapp, "menu:keliling")
    within_limits(chat)
    assert "Posyandu Mawar" in chat.text and "1 jadwal pribadi kosong" in chat.text
    assert f"kk:v:{visit.pk}" in reply_ids(chat.last[-1]) and "kk:mine" in reply_ids(chat.last[-1])
    chat.tap(f"kk:v:{visit.pk}")  # one free slot: no time to choose
    within_limits(chat)
    assert "Tanpa nama" in chat.text and {"kk:anon", "kk:contact", "cancel"} == set(reply_ids(chat.last[-1]))
    chat.tap("kk:anon")
    assert "Periksa janji Anda" in chat.text and "Posyandu Mawar" in chat.text and "09.30" in chat.text
    chat.tap("kk:send")
    match = RECEIPT.search(chat.text)
    assert match, chat.text
    reference, codename = match.groups()
    assert "Simpan nomor janji dan kode rahasia ini di tempat aman" in chat.text and "hapus pesan ini" in chat.text
    booking = Booking.objects.get(reference=reference)
    assert booking.anonymous and booking.status == "active" and booking.slot.visit_id == visit.pk
    assert booking.contact_phone == "" and booking.contact_phone_index == "" and booking.preferred_channel == ""
    assert not services.free_slots(visit)  # it was the last one
    state = Conversation.objects.get().state
    assert codename not in str(state) and reference not in str(state) and "book" not in state

    # the professional's rota shows it like a web booking, and never names an anonymous person
    professional = verified_client(partner_psychologist)
    rota = professional.get("/staf/keliling/").content.decode()
    assert reference in rota and PHONE not in rota and SENDER not in rota
    detail = professional.get(f"/staf/keliling/janji/{booking.pk}/").content.decode()
    assert "Tanpa nama" in detail and SENDER[2:] not in detail

    # the same codename on the web's own page cancels it
    response = client.post("/konseling-keliling/janji/", {"reference": reference, "codename": codename})
    assert response.status_code in (302, 303)
    assert reference in client.get("/konseling-keliling/janji/").content.decode()
    client.post("/konseling-keliling/janji/batal/")
    booking.refresh_from_db()
    assert booking.status == "cancelled" and len(services.free_slots(visit)) == 1


def test_a_full_visit_says_so_and_offers_the_next_one(client, whatsapp, case_manager, partner_psychologist):
    first = make_visit(case_manager, [partner_psychologist], venue_name="SDN Kaligandu 1", end="09:30")  # one slot
    later = make_visit(case_manager, [partner_psychologist], days=3, venue_name="Balai Warga Cipare")
    chat = start(client, whatsapp, "menu:keliling")
    services.booking_create(visit_id=first.pk, data={"anonymous": True})  # someone on the web is quicker
    chat.tap(f"kk:v:{first.pk}")
    within_limits(chat)
    assert "sudah penuh" in chat.text and "SDN Kaligandu 1" in chat.text
    assert "Kunjungan berikutnya yang masih ada jam kosong" in chat.text and "Balai Warga Cipare" in chat.text
    assert reply_ids(chat.last[-1]) == [f"kk:v:{later.pk}", "menu:keliling", "menu"]
    chat.say("ya")  # the offer taken in words
    within_limits(chat)
    assert "Jam berapa" in chat.text and "kk:s:0" in reply_ids(chat.last[-1])
    chat.say("besok saja")  # not one of the choices: asked again
    assert "tidak kami kenali" in chat.text and "Jam berapa" in chat.text
    chat.say("3")  # 1 = the first free time, 2 and 3 the times listed
    chat.tap("kk:anon")
    assert "Jam: 09.30" in chat.text
    for slot in services.free_slots(later):  # the visit fills up while the person reads the summary
        services.booking_create(visit_id=later.pk, data={"anonymous": True, "slot_id": slot.pk})
    chat.tap("kk:send")
    assert "sudah penuh" in chat.text and "Belum ada kunjungan lain dengan jam kosong" in chat.text
    assert "/konseling-keliling/minta/" in chat.text
    assert Booking.objects.filter(status="active").count() == 3  # one on the first visit, two on the later


def test_a_redelivered_tap_books_once_and_a_second_tap_books_nothing(client, whatsapp, case_manager,
                                                                     partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    chat = start(client, whatsapp)
    to_confirm(chat, visit.pk)
    payload = envelope([button("kk:send", "Pesan sekarang", mid="wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFkJPT0sx")])
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200  # Meta delivers the same message again
    run_jobs()
    sent = whatsapp.new()
    assert Booking.objects.count() == 1
    assert sum("Nomor janji:" in (o.get("text") or {}).get("body", "") for o in sent) == 1
    assert WhatsAppInbound.objects.filter(outcome="handled").count() == len(WhatsAppInbound.objects.all())
    chat.send(button("kk:send", "Pesan sekarang"))  # a second tap: another message id
    assert "sudah tercatat" in chat.text and "Nomor janji:" not in chat.text
    assert Booking.objects.count() == 1


def test_the_whole_booking_in_english_with_a_reminder_on_this_number(client, whatsapp, case_manager,
                                                                       partner_psychologist, caplog):
    visit = make_visit(case_manager, [partner_psychologist], venue_name="SDN Kaligandu 1")
    caplog.set_level(logging.DEBUG)
    chat = Chat(client, whatsapp)
    chat.say("English")
    chat.tap("menu:keliling")
    assert "2 private slots free" in chat.text and "Already booked? Type JANJI" in chat.text
    chat.say("1")  # the visit by its number
    within_limits(chat)
    assert "What time" in chat.text
    chat.say("2")
    assert "How should your appointment be kept" in chat.text
    chat.tap("kk:contact")
    assert "When is it safe" in chat.text
    chat.say("weekdays after 4 pm")
    assert "Check your appointment" in chat.text and "With a reminder on WhatsApp to this number" in chat.text
    chat.say("yes")
    match = RECEIPT.search(chat.text)
    assert match and "Keep the appointment number and the codename somewhere safe" in chat.text, chat.text
    booking = Booking.objects.get(reference=match.group(1))
    assert booking.slot.visit_id == visit.pk and booking.slot.starts_at.minute == 0  # "2": the first time listed
    assert not booking.anonymous and booking.contact_phone == PHONE and booking.preferred_channel == "whatsapp"
    assert booking.safe_time == "weekdays after 4 pm" and booking.contact_phone_index
    assert booking.reminder_due_at is not None  # the reminder job will write to this number
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone, safe_time FROM outreach_booking WHERE id = %s", [booking.pk])
        phone, safe_time = cursor.fetchone()
    assert phone.startswith("s1:") and SENDER not in phone and "4 pm" not in safe_time  # sealed at rest
    assert SENDER[2:] not in caplog.text and "4 pm" not in caplog.text  # never logged
    rota = verified_client(partner_psychologist).get("/staf/keliling/").content.decode()
    assert booking.reference in rota and SENDER[2:] not in rota  # the list names no one


def test_replies_that_are_not_understood_ask_again_and_never_break(client, whatsapp, case_manager,
                                                                   partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    chat = start(client, whatsapp, "menu:keliling")
    chat.say("yang paling dekat")
    assert "tidak kami kenali" in chat.text and f"kk:v:{visit.pk}" in reply_ids(chat.last[-1])
    chat.say("7")  # no visit with that number
    assert "tidak kami kenali" in chat.text
    chat.send(message("sticker", sticker={"mime_type": "image/webp", "sha256": "x", "id": "1"}))
    assert "belum bisa kami baca" in chat.text and f"kk:v:{visit.pk}" in reply_ids(chat.last[-1])
    chat.send(button("kk:v:999999", "Lama"))  # a visit that is gone
    assert "sudah tidak ada di jadwal" in chat.text
    chat.tap(f"kk:v:{visit.pk}")
    chat.send(button("kk:s:not-a-number"))
    assert "tidak kami kenali" in chat.text and "Jam berapa" in chat.text
    chat.send(message("location", location={"latitude": -6.12, "longitude": 106.15}))
    assert "Lokasi dari peta tidak kami simpan" in chat.text and "Jam berapa" in chat.text
    chat.tap("kk:s:0")
    chat.say("terserah")
    assert "tidak kami kenali" in chat.text and "Bagaimana janji Anda dicatat" in chat.text
    chat.say("1")  # anonymous by its number
    chat.say("nanti dulu")
    assert "tidak kami kenali" in chat.text and "Pesan sekarang?" in chat.text
    chat.say("batal")
    assert "Pemesanan jam dibatalkan. Belum ada janji yang dibuat." in chat.text
    chat.send(button("kk:send", "Pesan sekarang"))  # the old summary's button, tapped after BATAL
    assert "sudah tidak berlaku" in chat.text
    assert not Booking.objects.exists()
    assert set(WhatsAppInbound.objects.values_list("outcome", flat=True)) == {"handled"}  # no apology, no 500


def test_janji_opens_a_booking_with_its_codename_and_cancels_it(client, whatsapp, settings, case_manager,
                                                               partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # booked on the web
    chat = start(client, whatsapp)
    chat.say("janji")
    assert "Tulis nomor janji Anda" in chat.text
    chat.say(receipt.reference.lower())
    assert "kode rahasia janji itu" in chat.text
    chat.say(receipt.codename)
    within_limits(chat)
    assert receipt.reference in chat.text and "Aktif" in chat.text and "kk:cancel" in reply_ids(chat.last[-1])
    chat.tap("kk:cancel")
    chat.tap("kk:cancel-yes")
    assert "sudah dibatalkan" in chat.text
    receipt.booking.refresh_from_db()
    assert receipt.booking.status == "cancelled" and len(services.free_slots(visit)) == 2
    assert receipt.codename not in str(Conversation.objects.get().state)
    # wrong codenames count against the limit a report's check shares
    settings.CODENAME_RATE_LIMIT = 2
    for _ in range(2):
        for typed in ("BATAL JANJI", receipt.reference, "salah salah salah salah salah salah salah"):
            chat.say(typed)
        assert "salah. Periksa lagi" in chat.text
    for door in ("janji", "cek"):  # one count closes both doors
        chat.say(door)
        assert "Terlalu banyak percobaan kode rahasia" in chat.text


def test_a_number_marked_do_not_contact_is_never_offered_the_reminder(case_manager, partner_psychologist,
                                                                      settings, tmp_path):
    whatsapp_on(settings, tmp_path)
    visit = make_visit(case_manager, [partner_psychologist], end="09:30")
    address_do_not_contact(actor=case_manager, channel="whatsapp", address=PHONE, reason="ponsel dipegang pelaku")
    tap = parse_message(button(f"kk:v:{visit.pk}"))
    assert tap is not None
    turn = respond({}, tap, PHONE)
    assert [i for out in turn.replies for i in reply_ids(out)] == ["kk:anon", "cancel"]
    typed = parse_message(text("2"))  # the reminder's number on the choice the web would have shown
    assert typed is not None
    again = respond(turn.state, typed, PHONE)
    assert "kk:contact" not in [i for out in again.replies for i in reply_ids(out)]
    assert again.state["step"] == "book:identity" and "anonymous" not in again.state["book"]
