"""The outreach JSON API: the public schedule, bookings with Idempotency-Key, 409 when full, 400 per field."""

from __future__ import annotations

import json

import pytest

from salingsapa.outreach.models import Booking
from tests.outreach_helpers import make_visit

pytestmark = pytest.mark.django_db

VISITS = "/api/v1/outreach/visits"


def _book(client, visit_id, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{VISITS}/{visit_id}/bookings", data=json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **headers)


def test_schedule_lists_upcoming_public_visits_with_free_slots(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist], start="13:00", end="14:30")
    make_visit(case_manager, [partner_psychologist], publish=False, venue_name="Belum diumumkan")
    response = client.get(VISITS)
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == visit.pk and item["date"] == visit.date.isoformat()
    assert (item["start_time"], item["end_time"]) == ("13:00", "14:30")
    assert item["kelurahan_code"] == visit.kelurahan.code and item["kelurahan_name"] == visit.kelurahan.name
    assert item["venue_name"] == "SDN Kaligandu 1" and item["venue_kind"] == "school"
    assert [s["code"] for s in item["services"]] == ["psikologis", "pengaduan"]
    assert item["free_slots"] == 3
    assert "team" not in item and "professional" not in json.dumps(item)


def test_anonymous_booking_then_replay_then_conflict(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    first = _book(client, visit.pk, {"anonymous": True}, key="kunci-1")
    assert first.status_code == 201
    body = first.json()
    assert body["reference"].startswith("KK-") and len(body["codename"].split()) == 7
    assert body["visit_id"] == visit.pk and body["slot"]["minutes"] == 30
    assert first["Cache-Control"] == "no-store"
    replay = _book(client, visit.pk, {"anonymous": True}, key="kunci-1")
    assert replay.status_code == 201 and replay.json() == body and replay["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    other = _book(client, visit.pk, {"anonymous": True, "topic": "lain"}, key="kunci-1")
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
    other_visit = make_visit(case_manager, [partner_psychologist], venue_name="Posyandu Melati")
    assert _book(client, other_visit.pk, {"anonymous": True}, key="kunci-1").status_code == 409
    assert Booking.objects.count() == 1


def test_full_visit_is_409_in_indonesian(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])  # two slots
    assert _book(client, visit.pk, {"anonymous": True}).status_code == 201
    assert _book(client, visit.pk, {"anonymous": True}).status_code == 201
    full = _book(client, visit.pk, {"anonymous": True})
    assert full.status_code == 409
    assert "semua slot" in full.json()["detail"] and "terisi" in full.json()["detail"]
    assert client.get(VISITS).json()[0]["free_slots"] == 0


@pytest.mark.parametrize("body, field, code", [
    ({"anonymous": False}, "contact", "contact_needed"),
    ({"anonymous": "ya"}, "anonymous", "not_boolean"),
    ({"anonymous": False, "contact": {"phone": "0812-ABC", "preferred_channel": "sms"}}, "contact.phone",
     "invalid_phone"),
    ({"anonymous": False, "contact": {"phone": "081234567890", "preferred_channel": "merpati"}},
     "contact.preferred_channel", "invalid_choice"),
    ({"anonymous": True, "slot_id": "satu"}, "slot_id", "invalid"),
    ({"anonymous": True, "hewan": "kucing"}, "hewan", "unknown_field"),
    ("[1, 2", "body", "invalid_json"),
])
def test_bad_input_is_400_per_field(client, case_manager, partner_psychologist, body, field, code):
    visit = make_visit(case_manager, [partner_psychologist])
    response = _book(client, visit.pk, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert field in data["errors"] and code in data["codes"][field], data
    assert all(isinstance(m, str) and m for m in data["errors"][field])
    assert not Booking.objects.exists()


def test_unknown_or_draft_visit_is_404(client, case_manager, partner_psychologist):
    draft = make_visit(case_manager, [partner_psychologist], publish=False)
    assert _book(client, draft.pk, {"anonymous": True}).status_code == 404
    assert _book(client, 999999, {"anonymous": True}).status_code == 404


def test_chosen_slot_and_move_and_cancel_with_the_codename(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    slots = list(visit.slots.order_by("starts_at"))
    booked = _book(client, visit.pk, {"anonymous": True, "slot_id": slots[1].pk}).json()
    assert booked["slot"]["id"] == slots[1].pk
    assert _book(client, visit.pk, {"anonymous": True, "slot_id": slots[1].pk}).status_code == 409
    ref, code = booked["reference"], booked["codename"]
    wrong = client.post("/api/v1/outreach/bookings/move", data={"reference": ref, "codename": "salah", "slot_id": 1},
                        content_type="application/json")
    assert wrong.status_code == 404
    moved = client.post("/api/v1/outreach/bookings/move", data={"reference": ref, "codename": code,
                                                                 "slot_id": slots[0].pk},
                        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["slot"]["id"] == slots[0].pk
    cancelled = client.post("/api/v1/outreach/bookings/cancel", data={"reference": ref, "codename": code},
                            content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_wrong_codenames_are_rate_limited_like_the_report_follow_up(client, settings, case_manager,
                                                                   partner_psychologist):
    settings.CODENAME_RATE_LIMIT = 3
    visit = make_visit(case_manager, [partner_psychologist])
    ref = _book(client, visit.pk, {"anonymous": True}).json()["reference"]
    statuses = [client.post("/api/v1/outreach/bookings/cancel", data={"reference": ref, "codename": "bukan ini"},
                            content_type="application/json").status_code for _ in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert Booking.objects.get(reference=ref).status == "active"


def test_requests_for_a_visit_or_a_call_back(client):
    visit_request = client.post("/api/v1/outreach/requests", data={
        "kind": "visit_request", "venue_kind": "school", "venue_name": "SMAN 1 Kota Serang",
        "kelurahan_code": "36.73.01.1001", "when": "Januari, setelah ujian"}, content_type="application/json")
    assert visit_request.status_code == 201, visit_request.content
    callback = client.post("/api/v1/outreach/requests", data={"kind": "callback", "anonymous": True},
                           content_type="application/json")
    assert callback.status_code == 400 and callback.json()["codes"]["contact"] == ["callback_needs_contact"]


def test_openapi_documents_the_outreach_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/outreach/visits" in paths
    booking = paths["/api/v1/outreach/visits/{visit_id}/bookings"]["post"]
    assert {"201", "400", "409"} <= set(booking["responses"])


def test_schedule_filters_by_kelurahan(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    assert [v["id"] for v in client.get(VISITS, {"kelurahan": visit.kelurahan.code}).json()] == [visit.pk]
    assert client.get(VISITS, {"kelurahan": "36.73.99.9999"}).json() == []
