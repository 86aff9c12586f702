"""Mobile counselling in the JSON API (mounted at ``/api/v1/outreach``).

* ``GET /visits`` — upcoming public visits with their free-slot counts (no auth; public data).
* ``POST /visits/{id}/bookings`` — book a slot, with ``Idempotency-Key`` as ``POST /reports``:
  the same key and body replay the same 201 (``Idempotent-Replayed: true``); the same key with
  another body is a 409. ``{"anonymous": true}`` books the next free slot. A full visit is a 409
  with a message in Bahasa Indonesia; bad input a 400 with per-field errors and codes.
* ``POST /requests`` — ask for a visit to a school or kelurahan, or for a call-back.
* ``POST /bookings/cancel`` and ``POST /bookings/move`` — with reference + codename (rate-limited
  like ``/lapor/cek/``). The codename never travels in a URL.

A booking keeps the language of the request (``Accept-Language``; Indonesian otherwise): its reminders and
the notices of a change of the visit are written in it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import BaseModel as PydanticModel

from salingsapa.api.v1 import IDEMPOTENCY_KEY, ErrorOut, _error_response, _invalid, created, guarded
from salingsapa.core import codelists
from salingsapa.intake import ratelimit
from salingsapa.outreach import services
from salingsapa.outreach.models import Booking, Slot, Visit
from salingsapa.outreach.schema import BookingInput, BookingInvalid, RequestInput
from salingsapa.outreach.selectors import visits_upcoming

router = Router(tags=["outreach"])


class ServiceOut(Schema):
    code: str
    label: str


class VisitOut(Schema):
    id: int
    date: dt.date
    start_time: str = Field(..., description="HH:MM, Asia/Jakarta")
    end_time: str = Field(..., description="HH:MM, Asia/Jakarta")
    kelurahan_code: str = Field(..., description="Kemendagri code")
    kelurahan_name: str
    kecamatan_name: str
    venue_kind: str
    venue_kind_label: str
    venue_name: str
    services: list[ServiceOut]
    free_slots: int


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    minutes: int


class BookingOut(Schema):
    reference: str = Field(..., description="e.g. KK-7K3M-9QX2")
    codename: str = Field(..., description="seven words; shown once, stored only hashed")
    visit_id: int
    slot: SlotOut


class RequestOut(Schema):
    reference: str
    codename: str
    kind: str


class CodenameIn(Schema):
    reference: str = Field(..., max_length=30)
    codename: str = Field(..., max_length=300)


class MoveIn(CodenameIn):
    slot_id: int = Field(..., ge=1)


class BookingStatusOut(Schema):
    reference: str
    status: str
    visit_id: int | None
    slot: SlotOut | None


def visit_out(visit: Visit) -> dict[str, Any]:
    parent = visit.kelurahan.parent
    return {
        "id": visit.pk,
        "date": visit.date,
        "start_time": visit.start_time.strftime("%H:%M"),
        "end_time": visit.end_time.strftime("%H:%M"),
        "kelurahan_code": visit.kelurahan.code,
        "kelurahan_name": visit.kelurahan.name,
        "kecamatan_name": parent.name if parent else "",
        "venue_kind": visit.venue_kind,
        "venue_kind_label": str(visit.get_venue_kind_display()),
        "venue_name": visit.venue_name,
        "services": [{"code": s, "label": codelists.label("service", s)} for s in visit.services],
        "free_slots": int(getattr(visit, "free_slots", 0) or 0),
    }


def _slot_out(slot: Slot) -> dict[str, Any]:
    return {"id": slot.pk, "starts_at": timezone.localtime(slot.starts_at), "minutes": slot.minutes}


def _body_schema(model: type[PydanticModel]) -> dict[str, Any]:
    """The request body in the OpenAPI document. The body is validated by ``outreach.schema`` itself
    (not by ninja), so the rules of a whole booking keep their field and code in a 400."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # Its one nested model, ContactIn, is in the document's components already (POST /reports uses it).
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error_response(400, _("Isi permintaan bukan JSON yang valid."), {"body": [_("JSON tidak valid.")]},
                               {"body": ["invalid_json"]})


@router.get("/visits", response=list[VisitOut], summary="Jadwal konseling keliling (upcoming visits)")
def visits_list(
    request: HttpRequest,
    response: HttpResponse,
    kelurahan: str | None = Query(None, max_length=20,  # type: ignore[type-arg]
                                  description="only visits in this kelurahan (Kemendagri code, e.g. 36.73.01.1001); "
                                              "an unknown code lists nothing"),
) -> Any:
    response["Cache-Control"] = "public, max-age=60"
    return [visit_out(v) for v in visits_upcoming(kelurahan_code=kelurahan)]


def _submit(request: HttpRequest, response: HttpResponse, create: Callable[[Any], services.BookingReceipt],
            out: Callable[[services.BookingReceipt], dict[str, Any]]) -> Any:
    """Create a booking or a request from the JSON body; the 201, or the error of each refusal."""
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    try:
        receipt = create(body)
    except BookingInvalid as exc:
        return _invalid(exc.field_errors)
    except services.IdempotencyConflict:
        return _error_response(409, _("Idempotency-Key ini sudah dipakai untuk permintaan lain."))
    except services.VisitNotOpen:
        return _error_response(404, _("Jadwal kunjungan tidak ditemukan atau sudah lewat."))
    except services.VisitFull:
        return _error_response(409, _("Maaf, semua slot di kunjungan ini sudah terisi. Pilih jadwal lain."))
    except services.SlotTaken:
        return _error_response(409, _("Slot ini sudah dipesan orang lain. Pilih slot lain."))
    return created(response, receipt, out(receipt))


def _booking_out(receipt: services.BookingReceipt) -> dict[str, Any]:
    slot = receipt.booking.slot
    assert slot is not None  # noqa: S101  (a slot booking always holds one: booking_slot_kind_has_slot)
    return {"reference": receipt.reference, "codename": receipt.codename, "visit_id": slot.visit_id,
            "slot": _slot_out(slot)}


@router.post(
    "/visits/{visit_id}/bookings",
    response={201: BookingOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    summary="Pesan slot konseling (book a slot)",
    openapi_extra=_body_schema(BookingInput),
)
@decorate_view(guarded("api-booking", "BOOKING_RATE_LIMIT", "BOOKING_RATE_WINDOW"))
def bookings_create(request: HttpRequest, response: HttpResponse, visit_id: int,
                    idempotency_key: str | None = IDEMPOTENCY_KEY) -> Any:
    return _submit(request, response, lambda body: services.booking_create(
        visit_id=visit_id, data=body, idempotency_key=idempotency_key, language=get_language()), _booking_out)


@router.post(
    "/requests",
    response={201: RequestOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    summary="Minta kunjungan atau minta dihubungi (request a visit or a call-back)",
    openapi_extra=_body_schema(RequestInput),
)
@decorate_view(guarded("api-booking", "BOOKING_RATE_LIMIT", "BOOKING_RATE_WINDOW"))
def requests_create(request: HttpRequest, response: HttpResponse, idempotency_key: str | None = IDEMPOTENCY_KEY) -> Any:
    return _submit(request, response, lambda body: services.request_create(
        data=body, idempotency_key=idempotency_key, language=get_language()),
        lambda receipt: {"reference": receipt.reference, "codename": receipt.codename, "kind": receipt.booking.kind})


def _by_codename(request: HttpRequest, payload: CodenameIn) -> Booking | HttpResponse:
    """The booking for reference + codename, with the codename rate limit of ``/lapor/cek/``."""
    try:
        booking = services.booking_codename_login(client=ratelimit.client_ip(request), reference=payload.reference,
                                                  codename=payload.codename)
    except services.CodenameAttemptsExceeded:
        response = _error_response(429, _("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi."))
        response["Retry-After"] = str(settings.CODENAME_RATE_WINDOW)
        return response
    if booking is None:
        return _error_response(404, _("Nomor janji atau kode rahasia salah. Periksa lagi."))
    return booking


def _status_out(booking: Booking) -> dict[str, Any]:
    return {"reference": booking.reference, "status": booking.status,
            "visit_id": booking.slot.visit_id if booking.slot else None,
            "slot": _slot_out(booking.slot) if booking.slot else None}


@router.post("/bookings/cancel", response={200: BookingStatusOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
             summary="Batalkan janji (cancel with reference + codename)")
def bookings_cancel(request: HttpRequest, response: HttpResponse, payload: CodenameIn) -> Any:
    found = _by_codename(request, payload)
    if isinstance(found, HttpResponse):
        return found
    response["Cache-Control"] = "no-store"
    return _status_out(services.booking_cancel(booking=found))


@router.post("/bookings/move", response={200: BookingStatusOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                         429: ErrorOut},
             summary="Pindah slot (move with reference + codename)")
def bookings_move(request: HttpRequest, response: HttpResponse, payload: MoveIn) -> Any:
    found = _by_codename(request, payload)
    if isinstance(found, HttpResponse):
        return found
    try:
        booking = services.booking_move(booking=found, slot_id=payload.slot_id)
    except (services.SlotTaken, services.VisitNotOpen):
        return _error_response(409, _("Slot ini tidak bisa dipilih lagi. Pilih slot lain."))
    response["Cache-Control"] = "no-store"
    return _status_out(booking)
