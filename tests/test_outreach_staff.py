"""Staff mobile-counselling pages: planners create, publish and cancel visits; professionals see their
rota with the reference only; a booking's contact is read only through the audited access helper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salingsapa.core.models import AuditEvent
from salingsapa.outreach import services
from salingsapa.outreach.models import Visit
from tests.casework_helpers import verified_client
from tests.outreach_helpers import kelurahan, make_visit

pytestmark = pytest.mark.django_db


def test_planner_creates_publishes_and_the_public_sees_it(case_manager, partner_psychologist, counsellor, client):
    staff = verified_client(case_manager)
    assert staff.get("/staf/keliling/baru/").status_code == 200
    date = timezone.localdate() + dt.timedelta(days=3)
    bad = staff.post("/staf/keliling/baru/", {
        "date": date.isoformat(), "start_time": "10:00", "end_time": "09:00", "kelurahan": kelurahan().code,
        "venue_kind": "posyandu", "venue_name": "Posyandu Anggrek", "minutes": 30})
    assert bad.status_code == 400 and "Jam selesai harus setelah jam mulai" in bad.content.decode()
    assert "Posyandu Anggrek" in bad.content.decode()
    response = staff.post("/staf/keliling/baru/", {
        "date": date.isoformat(), "start_time": "09:00", "end_time": "11:00", "kelurahan": kelurahan().code,
        "venue_kind": "posyandu", "venue_name": "Posyandu Anggrek", "services": ["psikologis"], "minutes": 30,
        "member_0": partner_psychologist.pk, "role_0": "psychologist", "member_1": counsellor.pk, "role_1": "counsellor"})
    assert response.status_code == 302
    visit = Visit.objects.get(venue_name="Posyandu Anggrek")
    assert visit.status == "draft" and visit.slots.count() == 8
    assert "Posyandu Anggrek" not in client.get("/konseling-keliling/").content.decode()
    staff.post(f"/staf/keliling/{visit.pk}/aksi/umumkan/")
    assert "Posyandu Anggrek" in client.get("/konseling-keliling/").content.decode()
    # only planners manage visits
    assert verified_client(counsellor).post(f"/staf/keliling/{visit.pk}/aksi/batalkan/").status_code == 403
    assert verified_client(counsellor).get("/staf/keliling/baru/").status_code == 403


def test_rota_shows_the_reference_never_a_name(case_manager, partner_psychologist, counsellor):
    visit = make_visit(case_manager, [partner_psychologist])
    anonymous = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    named = services.booking_create(visit_id=visit.pk, data={"anonymous": False, "contact": {
        "name": "Kenanga Putri", "phone": "081234567890", "preferred_channel": "whatsapp"}})
    professional = verified_client(partner_psychologist)
    rota = professional.get("/staf/keliling/").content.decode()
    assert anonymous.reference in rota and named.reference in rota
    assert "Kenanga" not in rota  # the list carries references only
    opened = professional.get(f"/staf/keliling/janji/{anonymous.booking.pk}/").content.decode()
    assert "Tanpa nama" in opened
    assert not AuditEvent.objects.filter(object_type="booking", action="read", object_id=str(named.booking.pk)).exists()
    contact = professional.get(f"/staf/keliling/janji/{named.booking.pk}/").content.decode()
    assert "Kenanga Putri" in contact and "+6281234567890" in contact
    assert AuditEvent.objects.filter(object_type="booking", action="read", object_id=str(named.booking.pk),
                                     actor_id=partner_psychologist.pk).exists()
    # a professional not on this slot gets a 404 (audited as denied)
    assert verified_client(counsellor).get(f"/staf/keliling/janji/{named.booking.pk}/").status_code == 404
    assert AuditEvent.objects.filter(object_type="booking", action="denied", actor_id=counsellor.pk).exists()
    professional.post(f"/staf/keliling/janji/{named.booking.pk}/aksi/selesai/")
    named.booking.refresh_from_db()
    assert named.booking.status == "done"


def test_cancelling_a_visit_cancels_its_bookings(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    receipt = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    staff = verified_client(case_manager)
    page = staff.get(f"/staf/keliling/{visit.pk}/").content.decode()
    assert receipt.reference in page and "1 dari 2 slot terisi" in page
    staff.post(f"/staf/keliling/{visit.pk}/aksi/batalkan/")
    receipt.booking.refresh_from_db()
    assert receipt.booking.status == "cancelled"
