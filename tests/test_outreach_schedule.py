"""Mobile counselling schedule and bookings: the domain rules (services, selectors, constraints)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from salingsapa.core.models import AuditEvent
from salingsapa.notify.models import OutboundMessage
from salingsapa.outreach import selectors, services
from salingsapa.outreach.access import access_booking
from salingsapa.outreach.models import Booking, Slot, Visit
from salingsapa.outreach.schema import BookingInvalid
from tests.outreach_helpers import make_visit

pytestmark = pytest.mark.django_db


def test_slots_are_generated_per_professional_and_only_published_upcoming_visits_are_listed(
        case_manager, partner_psychologist, counsellor):
    visit = make_visit(case_manager, [partner_psychologist, counsellor])  # 09:00–10:00, 30 min → 2 each
    assert visit.slots.count() == 4
    assert services.slots_generate(by=case_manager, visit=visit) == 0  # idempotent
    make_visit(case_manager, [counsellor], publish=False, venue_name="Draf")
    make_visit(case_manager, [counsellor], days=-2, venue_name="Kemarin lusa")
    listed = list(selectors.visits_upcoming())
    assert [v.pk for v in listed] == [visit.pk]
    assert listed[0].free_slots == 4


def test_anonymous_booking_takes_the_next_free_slot_and_a_full_visit_refuses(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])  # 2 slots
    first = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    second = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert first.booking.slot.starts_at < second.booking.slot.starts_at
    assert first.reference.startswith("KK-") and len(first.codename.split()) == 7
    assert first.codename not in first.booking.codename_hash  # stored only as a slow hash
    with pytest.raises(services.VisitFull):
        services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert selectors.visit_public(visit.pk).free_slots == 0
    services.booking_cancel(booking=first.booking)
    assert selectors.visit_public(visit.pk).free_slots == 1
    again = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert again.booking.slot_id == first.booking.slot_id


def test_the_database_refuses_a_second_active_booking_of_one_slot(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    slot = visit.slots.first()
    Booking.objects.create(reference="KK-AAAA-AAAA", slot=slot, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(reference="KK-BBBB-BBBB", slot=slot, created_at=timezone.now())
    Booking.objects.create(reference="KK-CCCC-CCCC", slot=slot, created_at=timezone.now(), status="cancelled")


def test_codename_cancels_and_moves(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert services.booking_for_codename(reference=receipt.reference, codename="salah " * 7) is None
    found = services.booking_for_codename(reference=receipt.reference.lower(), codename=receipt.codename.upper())
    assert found == receipt.booking
    other = visit.slots.exclude(pk=receipt.booking.slot_id).get()
    services.booking_move(booking=found, slot_id=other.pk)
    assert Booking.objects.get(pk=found.pk).slot_id == other.pk
    taker = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    with pytest.raises(services.SlotTaken):
        services.booking_move(booking=taker.booking, slot_id=other.pk)
    services.booking_cancel(booking=found)
    assert Booking.objects.get(pk=found.pk).status == "cancelled"


def test_contact_details_are_sealed_blind_indexed_and_every_read_audited(
        case_manager, partner_psychologist, counsellor, settings):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={
        "anonymous": False,
        "contact": {"name": "Melati", "phone": "0812-3456-7890", "preferred_channel": "whatsapp",
                    "safe_time": "setelah jam 8 malam"},
    })
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone, safe_time FROM outreach_booking WHERE id = %s",
                       [receipt.booking.pk])
        raw = " ".join(cursor.fetchone())
    assert "Melati" not in raw and "3456" not in raw and "malam" not in raw
    assert receipt.booking.contact_phone_index
    assert receipt.booking.reminder_due_at is not None
    # the professional of the slot opens it (audited); another counsellor cannot (404, audited as denied)
    booking = access_booking(partner_psychologist, receipt.booking.pk)
    assert booking.contact_phone == "+6281234567890"
    assert AuditEvent.objects.filter(object_type="booking", object_id=str(booking.pk), action="read").exists()
    with pytest.raises(Http404):
        access_booking(counsellor, receipt.booking.pk)
    assert AuditEvent.objects.filter(object_type="booking", action="denied").exists()


@pytest.mark.parametrize("body, field, code", [
    ({"anonymous": False}, "contact", "contact_needed"),
    ({"anonymous": True, "contact": {"name": "Ani"}}, "contact", "anonymous_with_contact"),
    ({"anonymous": False, "contact": {"phone": "08123456789"}}, "contact.preferred_channel", "channel_needed"),
    ({"anonymous": False, "contact": {"phone": "abc", "preferred_channel": "sms"}}, "contact.phone", "invalid_phone"),
    ({"anonymous": "ya"}, "anonymous", "not_boolean"),
    ({"anonymous": True, "extra": 1}, "extra", "unknown_field"),
])
def test_bad_input_names_the_field(case_manager, partner_psychologist, body, field, code):
    visit = make_visit(case_manager, [partner_psychologist])
    with pytest.raises(BookingInvalid) as exc:
        services.booking_create(visit_id=visit.pk, data=body)
    assert (field, code) in [(e.field, e.code) for e in exc.value.field_errors]
    assert not Booking.objects.exists()


def test_requests_and_reminders(case_manager, partner_psychologist, counsellor):
    callback = services.request_create(data={"kind": "callback", "anonymous": False, "contact": {
        "phone": "081234567890", "preferred_channel": "phone", "safe_time": "pagi"}})
    assert callback.booking.kind == "callback" and callback.booking.slot is None
    visit_request = services.request_create(data={"kind": "visit_request", "venue_kind": "school",
                                                  "venue_name": "SMPN 2 Serang"})
    assert visit_request.booking.anonymous and visit_request.booking.requested_venue_name == "SMPN 2 Serang"
    # a counsellor of the lead agency sees the requests, not other people's slot bookings
    assert set(selectors.bookings_for(counsellor)) == {callback.booking, visit_request.booking}

    visit = make_visit(case_manager, [partner_psychologist], end="10:30")  # three slots
    booked = services.booking_create(visit_id=visit.pk, data={
        "anonymous": False, "contact": {"phone": "081234567890", "preferred_channel": "sms"}})
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # anonymous: nobody to remind
    by_phone = services.booking_create(visit_id=visit.pk, data={
        "anonymous": False, "contact": {"phone": "081298765432", "preferred_channel": "phone"}})
    later = booked.booking.slot.starts_at - dt.timedelta(minutes=5)
    assert services.reminders_queue(now=later) == 2
    assert services.reminders_queue(now=later) == 0  # once
    booked.booking.refresh_from_db()
    assert booked.booking.reminder_sent_at is not None and booked.booking.reminder_via == "sms"
    [message] = OutboundMessage.objects.filter(purpose="visit_reminder")
    assert message.channel == "sms" and message.address == "+6281234567890"
    assert message.reference == booked.reference
    text = message.content["body"]
    assert booked.reference in text and "konseling" not in text.lower() and "SDN" not in text  # neutral
    assert Booking.objects.get(pk=by_phone.booking.pk).reminder_via == "in_app"  # a call, not a message


def test_rota_shows_reference_only_and_cancelling_a_visit_frees_nothing_twice(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    rota = list(selectors.rota_for(partner_psychologist))
    assert [s.booking_reference for s in rota] == [receipt.reference, None]
    assert services.visit_cancel(by=case_manager, visit=visit) == 1
    assert Visit.objects.get(pk=visit.pk).status == "cancelled"
    assert not list(selectors.visits_upcoming())
    with pytest.raises(services.VisitNotOpen):
        services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert Slot.objects.filter(visit=visit).count() == 2
