"""Editing a visit (issue 13): planners change the hours, place, team, number of slots and publication of a
visit; booked slots move with it, the people who booked are told in their language (or see it with their
codename); a stale form is refused (``Visit.version``); every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salingsapa.core.models import AuditEvent
from salingsapa.notify.models import OutboundMessage
from salingsapa.outreach import services
from salingsapa.outreach.models import Booking, Slot, Visit
from tests.casework_helpers import verified_client
from tests.outreach_helpers import kelurahan, make_visit

pytestmark = pytest.mark.django_db

CONTACT = {"anonymous": False, "contact": {"phone": "081234567890", "preferred_channel": "sms"}}


def _update(visit: Visit, by, **changes):
    """visit_update with the visit's current values, changed by ``changes`` (the form's way: every field)."""
    values = {"date": visit.date, "start_time": visit.start_time, "end_time": visit.end_time,
              "kelurahan": visit.kelurahan, "venue_kind": visit.venue_kind, "venue_name": visit.venue_name,
              "services": visit.services, "public_note": visit.public_note,
              "team": [(m.user, m.role) for m in visit.team.select_related("user")],
              "expected_version": visit.version}
    values.update(changes)
    return services.visit_update(by=by, visit=visit, **values)


def _local(slot: Slot) -> tuple[dt.date, str]:
    at = timezone.localtime(slot.starts_at)
    return at.date(), at.strftime("%H:%M")


def test_moving_a_visit_moves_its_bookings_and_tells_people_in_their_language(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])  # tomorrow 09:00-10:00, two slots
    english = services.booking_create(visit_id=visit.pk, data=CONTACT, language="en-US")
    anonymous = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert english.booking.language == "en" and anonymous.booking.language == "id"
    later = visit.date + dt.timedelta(days=2)
    change = _update(visit, case_manager, date=later, start_time=dt.time(13), end_time=dt.time(14))
    assert change.moved == 2 and change.notified == 1 and {"date", "start_time", "end_time"} <= set(change.fields)
    moved = {b.reference: b for b in Booking.objects.select_related("slot")}
    assert _local(moved[english.reference].slot) == (later, "13:00")  # the same slot, the same offset
    assert _local(moved[anonymous.reference].slot) == (later, "13:30")
    assert moved[english.reference].slot_id == english.booking.slot_id
    assert all(b.visit_changed_at and b.status == "active" for b in moved.values())
    # the reminder follows the new time
    due = moved[english.reference].reminder_due_at
    assert due is not None and due > english.booking.reminder_due_at
    [notice] = OutboundMessage.objects.filter(purpose="visit_changed")
    assert notice.channel == "sms" and notice.reference == english.reference
    body = notice.content["body"]
    assert body.startswith("Your appointment has changed") and later.strftime("%d-%m-%Y") in body and "13.00" in body
    assert "SDN" not in body  # neutral: no place
    entry = AuditEvent.objects.get(object_type="visit", action="update", object_id=str(visit.pk), detail__has_key="changed")
    assert entry.actor_id == case_manager.pk and entry.detail["bookings_moved"] == 2 and entry.detail["notified"] == 1


def test_a_new_place_is_a_change_for_every_booking_a_new_note_is_not(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    booked = services.booking_create(visit_id=visit.pk, data=CONTACT)
    assert _update(visit, case_manager, public_note="Bawa buku KIA").moved == 0
    assert not OutboundMessage.objects.exists()
    change = _update(visit, case_manager, venue_name="SDN Kaligandu 2")
    assert change.moved == 1 and change.fields == ["venue_name"]
    [notice] = OutboundMessage.objects.filter(purpose="visit_changed")
    assert notice.content["body"].startswith("Ada perubahan pada janji Anda") and booked.reference in notice.content["body"]


def test_fewer_slots_than_bookings_is_refused_in_indonesian_and_nothing_changes(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    version = visit.version
    with pytest.raises(services.VisitEditRefused) as refused:
        _update(visit, case_manager, slot_count=1, venue_name="Tempat lain")
    assert refused.value.message == "Jumlah slot tidak boleh kurang dari janji yang sudah dipesan (2)."
    assert refused.value.field == "slot_count"
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.version == version and fresh.venue_name == "SDN Kaligandu 1" and fresh.slots.count() == 2


def test_slot_count_grows_within_the_hours_and_shrinks_to_the_booked(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist], end="11:00")  # four slots of 30 minutes
    first = services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # 09:00
    free_before = set(visit.slots.exclude(pk=first.booking.slot_id).values_list("pk", flat=True))
    _update(visit, case_manager, slot_count=2)
    assert visit.slots.count() == 2
    kept = set(visit.slots.values_list("pk", flat=True))
    assert first.booking.slot_id in kept and kept - {first.booking.slot_id} <= free_before  # a free slot kept its id
    with pytest.raises(services.VisitEditRefused, match="hanya cukup untuk 4 slot"):
        _update(Visit.objects.get(pk=visit.pk), case_manager, slot_count=6)
    visit = Visit.objects.get(pk=visit.pk)
    _update(visit, case_manager, slot_count=6, end_time=dt.time(12))
    assert sorted(_local(s)[1] for s in visit.slots.all()) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert Booking.objects.get(pk=first.booking.pk).slot_id == first.booking.slot_id


def test_a_booked_slot_that_no_longer_fits_the_hours_is_refused(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    late = visit.slots.order_by("starts_at").last()
    services.booking_create(visit_id=visit.pk, data={"anonymous": True, "slot_id": late.pk})  # 09:30
    with pytest.raises(services.VisitEditRefused, match="Janji pukul 09.30 tidak muat"):
        _update(visit, case_manager, end_time=dt.time(9, 30), slot_count=1)


def test_a_slot_booked_once_then_cancelled_is_reused_not_deleted(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    gone = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    services.booking_cancel(booking=gone.booking)
    _update(visit, case_manager, start_time=dt.time(10), end_time=dt.time(11))
    assert Slot.objects.filter(pk=gone.booking.slot_id).exists()  # its cancelled booking still points at it
    assert sorted(_local(s)[1] for s in visit.slots.all()) == ["10:00", "10:30"]
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert _local(receipt.booking.slot)[1] == "10:00"


def test_two_tabs_the_second_save_is_a_conflict(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    tab_a, tab_b = Visit.objects.get(pk=visit.pk), Visit.objects.get(pk=visit.pk)
    _update(tab_a, case_manager, venue_name="Tab A")
    with pytest.raises(services.VisitConflict):
        _update(tab_b, case_manager, venue_name="Tab B")
    with pytest.raises(services.VisitConflict):
        services.visit_cancel(by=case_manager, visit=tab_b, expected_version=tab_b.version)
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.venue_name == "Tab A" and fresh.status == "published"


def test_unpublish_keeps_the_bookings_and_publish_again(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    services.visit_unpublish(by=case_manager, visit=visit, expected_version=visit.version)
    assert Visit.objects.get(pk=visit.pk).status == "draft"
    assert Booking.objects.get(pk=receipt.booking.pk).status == "active"
    with pytest.raises(services.VisitNotOpen):
        services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    _update(visit, case_manager, publish=True)
    assert Visit.objects.get(pk=visit.pk).status == "published"


def test_cancelling_tells_the_people_with_a_contact_and_the_anonymous_see_it(client, case_manager,
                                                                            partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    named = services.booking_create(visit_id=visit.pk, data=CONTACT, language="en")
    anonymous = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    assert services.visit_cancel(by=case_manager, visit=visit, expected_version=visit.version) == 2
    [notice] = OutboundMessage.objects.filter(purpose="visit_cancelled")
    assert notice.reference == named.reference and notice.content["body"].startswith("Sorry, your appointment on")
    entry = AuditEvent.objects.get(object_type="visit", action="cancel", object_id=str(visit.pk))
    assert entry.detail == {"bookings_cancelled": 2, "notified": 1}
    client.post("/konseling-keliling/janji/", {"reference": anonymous.reference, "codename": anonymous.codename})
    page = client.get("/konseling-keliling/janji/").content.decode()
    assert "dibatalkan oleh petugas" in page and 'id="perubahan"' in page
    assert services.visit_cancel(by=case_manager, visit=visit) == 0  # twice: nothing more


def test_a_moved_booking_page_says_so(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    client.post("/konseling-keliling/janji/", {"reference": receipt.reference, "codename": receipt.codename})
    assert 'id="perubahan"' not in client.get("/konseling-keliling/janji/").content.decode()
    _update(visit, case_manager, start_time=dt.time(10), end_time=dt.time(11))
    page = client.get("/konseling-keliling/janji/").content.decode()
    assert "diubah oleh petugas" in page and "10.00" in page


def test_a_past_or_cancelled_visit_cannot_be_edited(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    services.visit_cancel(by=case_manager, visit=visit)
    with pytest.raises(services.VisitEditRefused, match="dibatalkan"):
        _update(Visit.objects.get(pk=visit.pk), case_manager, venue_name="x")
    past = services.visit_create(by=case_manager, date=timezone.localdate() - dt.timedelta(days=3),
                                 start_time=dt.time(9), end_time=dt.time(10), kelurahan=kelurahan(),
                                 venue_kind="school", venue_name="SDN lama")
    with pytest.raises(services.VisitEditRefused, match="sudah lewat"):
        _update(past, case_manager, venue_name="x")


# --- the staff page -----------------------------------------------------------------------------


def _form(visit: Visit, **changes) -> dict:
    data = {"date": visit.date.isoformat(), "start_time": visit.start_time.strftime("%H:%M"),
            "end_time": visit.end_time.strftime("%H:%M"), "kelurahan": visit.kelurahan.code,
            "venue_kind": visit.venue_kind, "venue_name": visit.venue_name, "services": visit.services,
            "public_note": visit.public_note, "minutes": 30, "slot_count": visit.slots.count(),
            "published": "on" if visit.status == "published" else "", "version": visit.version}
    for i, member in enumerate(visit.team.order_by("id")):
        data[f"member_{i}"], data[f"role_{i}"] = member.user_id, member.role
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_edit_page_saves_refuses_and_survives_a_double_submit(case_manager, partner_psychologist, counsellor):
    visit = make_visit(case_manager, [partner_psychologist])
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    staff = verified_client(case_manager)
    url = f"/staf/keliling/{visit.pk}/ubah/"
    page = staff.get(url).content.decode()
    assert 'value="SDN Kaligandu 1"' in page and 'name="version"' in page and "sudah punya 1 janji" in page
    # fewer slots than bookings: the field says why, nothing typed is lost
    refused = staff.post(url, _form(visit, slot_count=0, venue_name="SDN Baru"))
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Jumlah slot tidak boleh kurang dari janji yang sudah dipesan (1)." in text and 'value="SDN Baru"' in text
    form = _form(visit, venue_name="SDN Baru", end_time="11:00", slot_count=4)
    saved = staff.post(url, form)
    assert saved.status_code == 302 and saved["Location"] == f"/staf/keliling/{visit.pk}/"
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.venue_name == "SDN Baru" and fresh.slots.count() == 4
    # the same form again (a double click, or Back then submit): nothing more, no false alarm
    again = staff.post(url, form, follow=True)
    assert "Perubahan ini sudah tersimpan" in again.content.decode()
    assert AuditEvent.objects.filter(object_type="visit", action="update", detail__has_key="changed").count() == 1
    # the same stale version with other values: somebody else's change is not overwritten
    stale = staff.post(url, {**form, "venue_name": "SDN Lain"})
    assert stale.status_code == 409 and "telah diubah oleh orang lain" in stale.content.decode()
    assert Visit.objects.get(pk=visit.pk).venue_name == "SDN Baru"
    # unpublish from the form
    staff.post(url, _form(fresh, published=""))
    assert Visit.objects.get(pk=visit.pk).status == "draft"
    # only planners
    assert verified_client(counsellor).get(url).status_code == 403


def test_the_cancel_button_is_safe_to_press_twice(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    staff = verified_client(case_manager)
    detail = staff.get(f"/staf/keliling/{visit.pk}/").content.decode()
    assert f'href="/staf/keliling/{visit.pk}/ubah/"' in detail and "Tarik dari jadwal publik" in detail
    first = staff.post(f"/staf/keliling/{visit.pk}/aksi/batalkan/", {"version": visit.version})
    second = staff.post(f"/staf/keliling/{visit.pk}/aksi/batalkan/", {"version": visit.version}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "sudah dibatalkan" in second.content.decode()
    assert AuditEvent.objects.filter(object_type="visit", action="cancel").count() == 1
    assert staff.get(f"/staf/keliling/{visit.pk}/ubah/").status_code == 302  # no longer editable


# --- the person's language ----------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [("en-US", "en"), ("en", "en"), ("id", "id"), ("fr", "id"), ("", "id"),
                                               (None, "id")])
def test_booking_language(given, stored):
    assert services.booking_language(given) == stored


def test_the_language_of_the_web_page_and_of_the_api_is_kept(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    response = client.post(f"/api/v1/outreach/visits/{visit.pk}/bookings", data={"anonymous": True},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert response.status_code == 201
    assert Booking.objects.get(reference=response.json()["reference"]).language == "en"
    plain = client.post("/api/v1/outreach/requests", data={"kind": "visit_request", "venue_name": "SMPN 1"},
                        content_type="application/json")
    assert Booking.objects.get(reference=plain.json()["reference"]).language == "id"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = client.get(f"/konseling-keliling/{visit.pk}/pesan/").content.decode()
    key = form.split('name="kunci" value="')[1].split('"')[0]
    client.post(f"/konseling-keliling/{visit.pk}/pesan/", {"identity": "anonymous", "kunci": key})
    assert Booking.objects.filter(language="en").count() == 2


def test_reminders_go_out_in_the_language_of_the_booking(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    english = services.booking_create(visit_id=visit.pk, data=CONTACT, language="en")
    indonesian = services.booking_create(visit_id=visit.pk, data={
        "anonymous": False, "contact": {"email": "ibu@contoh.id", "preferred_channel": "email"}})
    assert services.reminders_queue(now=english.booking.slot.starts_at - dt.timedelta(minutes=5)) == 2
    sms = OutboundMessage.objects.get(purpose="visit_reminder", reference=english.reference)
    assert sms.content["body"].startswith("Reminder: you have an appointment on")
    email = OutboundMessage.objects.get(purpose="visit_reminder", reference=indonesian.reference)
    assert email.content["subject"] == "Pengingat janji" and email.content["body"].startswith("Pengingat: Anda punya")
