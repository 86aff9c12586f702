"""JSON API v1: public report intake for the WhatsApp channel, partner apps and a future mobile app.

``POST /api/v1/reports`` takes the same fields as the web form and calls the same service
(``intake.services.report_create``). Errors are JSON with Bahasa Indonesia messages:

* 400 ``{"detail": ..., "errors": {"victim.sex": ["..."]}}`` for bad input (never 422),
* 409 when an ``Idempotency-Key`` is reused for a different submission,
* 413 when the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
* 429 when the client (keyed hash of its IP) sent too many reports.

The schema is served at ``/api/v1/openapi.json``; the interactive docs page is off (it would
load scripts from a CDN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError

from salingsapa.core import codelists
from salingsapa.core.identifiers import KINDS
from salingsapa.intake import ratelimit
from salingsapa.intake.models import Channel
from salingsapa.intake.services import (
    IdempotencyConflict,
    IdentifierInput,
    ReportInput,
    ReportInvalid,
    report_create,
)

if TYPE_CHECKING:
    ReporterRole = str
    ViolenceForm = str
    TpksForm = str
    Sex = str
    AgeGroup = str
    PreferredChannel = str
    IdentifierKind = str
    PlaceCode = str
    RelationshipCode = str
    MetViaCode = str
    PlatformCode = str
else:

    def _enum(list_name: str) -> Any:
        return Literal[tuple(codelists.slugs(list_name))]

    ReporterRole = _enum("reporter_role")
    ViolenceForm = _enum("violence_form")
    TpksForm = _enum("tpks_form")
    Sex = _enum("sex")
    AgeGroup = _enum("age_group")
    PreferredChannel = _enum("preferred_channel")
    IdentifierKind = Literal[KINDS]

    def _optional_enum(list_name: str) -> Any:
        return Literal[tuple(codelists.slugs(list_name)) + ("",)]

    PlaceCode = _optional_enum("place")
    RelationshipCode = _optional_enum("relationship")
    MetViaCode = _optional_enum("met_via")
    PlatformCode = _optional_enum("platform")

api = NinjaAPI(
    title="Saling Sapa API",
    version="1",
    description=(
        "Pengaduan kekerasan terhadap perempuan dan anak, Kota Serang. Public report intake; "
        "messages in Bahasa Indonesia. Send an `Idempotency-Key` header to make retries safe."
    ),
    docs_url=None,
    urls_namespace="api-v1",
)


class VictimIn(Schema):
    sex: Sex = Field(..., description="female, male or unknown")
    age_group: AgeGroup = Field(..., description="SIMFONI-PPA age group, e.g. 13-17")
    is_child: bool | None = Field(None, description="under 18; derived from age_group when omitted")


class IdentifierIn(Schema):
    kind: IdentifierKind = Field(..., description="phone, nik, instagram, facebook, tiktok, x, whatsapp, telegram, email, other")
    value: str = Field(..., max_length=300, description="a number, a profile URL or a handle")


class ContactIn(Schema):
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254, description="required when preferred_channel is email")
    preferred_channel: PreferredChannel | None = Field(None, description="whatsapp, phone, sms, email or none")
    safe_time: str = Field("", max_length=200, description="when it is safe to contact, in the person's words")


class ConsentIn(Schema):
    contact_me: bool = False
    share_with_partners: bool = False


class ReportIn(Schema):
    reporter_role: ReporterRole
    in_danger_now: bool
    narrative: str = Field(..., description="what happened, in the reporter's words (max 10,000 characters)")
    violence_forms: list[ViolenceForm] = Field(..., description="SIMFONI-PPA forms of violence (slugs)")
    victim: VictimIn
    kelurahan_code: str = Field(..., max_length=13, description="Kemendagri code, e.g. 36.73.01.1001")
    tpks_forms: list[TpksForm] = Field(default_factory=list, description="UU TPKS forms (slugs), optional")
    incident_date: dt.date | None = None
    place: PlaceCode = Field("", description="SIMFONI-PPA place (slug), optional")
    relationship: RelationshipCode = Field("", description="perpetrator's relationship to the victim (slug), optional")
    met_via: MetViaCode = Field("", description="how victim and perpetrator met (slug), optional")
    met_via_platform: PlatformCode = Field("", description="which platform, when they met online (slug), optional")
    perpetrator_identifiers: list[IdentifierIn] = Field(default_factory=list)
    contact: ContactIn | None = None
    consent: ConsentIn | None = None


class ReportCreatedOut(Schema):
    reference: str = Field(..., description="short reference, e.g. LP-7K3M-9QX2")
    codename: str = Field(..., description="seven-word passphrase for /lapor/cek; shown once, stored only hashed")


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


# Messages for a missing or unknown value, per field path (Bahasa Indonesia).
FIELD_MESSAGES = {
    "reporter_role": "Pilih siapa yang melapor.",
    "in_danger_now": "Jawab apakah ada orang yang dalam bahaya saat ini (true/false).",
    "narrative": "Ceritakan secara singkat apa yang terjadi.",
    "violence_forms": "Pilih setidaknya satu bentuk kekerasan.",
    "victim": "Isi data korban (jenis kelamin dan kelompok umur).",
    "victim.sex": "Pilih jenis kelamin korban.",
    "victim.age_group": "Pilih kelompok umur korban.",
    "kelurahan_code": "Pilih kelurahan tempat kejadian di Kota Serang.",
}
TYPE_MESSAGES = {
    "missing": "Wajib diisi.",
    "literal_error": "Pilihan tidak dikenal.",
    "enum": "Pilihan tidak dikenal.",
    "bool_type": "Harus bernilai true atau false.",
    "bool_parsing": "Harus bernilai true atau false.",
    "string_type": "Harus berupa teks.",
    "list_type": "Harus berupa daftar.",
    "date_type": "Tanggal harus berformat TTTT-BB-HH.",
    "date_parsing": "Tanggal harus berformat TTTT-BB-HH.",
    "date_from_datetime_parsing": "Tanggal harus berformat TTTT-BB-HH.",
    "date_from_datetime_inexact": "Tanggal harus berformat TTTT-BB-HH.",
    "model_type": "Harus berupa objek.",
    "model_attributes_type": "Harus berupa objek.",
    "dict_type": "Harus berupa objek.",
    "string_too_long": "Isian terlalu panjang.",
    "too_long": "Terlalu banyak isian.",
}


def _error_response(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail, "errors": errors or {}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "header", "query"}:
        kind = parts[0]
        parts = parts[1:]
        if kind == "body" and parts and parts[0] == "payload":
            parts = parts[1:]
        if kind == "header":
            return "header." + ".".join(parts)
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        path = _path(item.get("loc", ()))
        kind = str(item.get("type", ""))
        if path == "body":
            message = _("Isi permintaan harus berupa objek JSON.")
        elif kind in {"missing", "literal_error", "enum"} and path in FIELD_MESSAGES:
            message = _(FIELD_MESSAGES[path])
        elif path.startswith("violence_forms.") or path.startswith("tpks_forms."):
            message = _("Ada bentuk kekerasan yang tidak dikenal.")
        else:
            message = _(TYPE_MESSAGES.get(kind, "Isian tidak valid."))
        bucket = errors.setdefault(path, [])
        if message not in bucket:
            bucket.append(message)
    return _error_response(400, _("Isian tidak valid. Periksa kolom yang ditandai."), errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse"):  # django-ninja's JSON parse failure
        return _error_response(400, _("Isi permintaan bukan JSON yang valid."), {"body": [_("JSON tidak valid.")]})
    return _error_response(exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error_response(413, _("Isi permintaan terlalu besar."))


def guarded(purpose: str, limit_setting: str, window_setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Body-size cap and rate limit, checked before the body is read or parsed."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return _error_response(413, _("Isi permintaan terlalu besar."))
            limit = getattr(settings, limit_setting)
            window = getattr(settings, window_setting)
            if ratelimit.request_hit(request, purpose=purpose, limit=limit, window=window):
                response = _error_response(429, _("Terlalu banyak permintaan. Coba lagi nanti."))
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _to_input(payload: ReportIn) -> ReportInput:
    contact = payload.contact or ContactIn(name="", phone="", email="", preferred_channel=None, safe_time="")
    consent = payload.consent or ConsentIn(contact_me=False, share_with_partners=False)
    return ReportInput(
        reporter_role=payload.reporter_role,
        in_danger_now=payload.in_danger_now,
        narrative=payload.narrative,
        violence_forms=list(payload.violence_forms),
        tpks_forms=list(payload.tpks_forms),
        victim_sex=payload.victim.sex,
        victim_age_group=payload.victim.age_group,
        victim_is_child=payload.victim.is_child,
        kelurahan_code=payload.kelurahan_code.strip(),
        incident_date=payload.incident_date,
        place=payload.place,
        relationship=payload.relationship,
        met_via=payload.met_via,
        met_via_platform=payload.met_via_platform,
        perpetrator_identifiers=[IdentifierInput(kind=i.kind, value=i.value) for i in payload.perpetrator_identifiers],
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
        preferred_channel=contact.preferred_channel or "",
        safe_time=contact.safe_time,
        consent_contact=consent.contact_me,
        consent_share=consent.share_with_partners,
    )


@api.post(
    "/reports",
    response={201: ReportCreatedOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    summary="Kirim pengaduan (submit a report)",
    tags=["reports"],
)
@decorate_view(guarded("api-report", "REPORT_RATE_LIMIT", "REPORT_RATE_WINDOW"))
def reports_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReportIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),  # type: ignore[type-arg]
) -> Any:
    try:
        receipt = report_create(
            data=_to_input(payload),
            channel=Channel.API,
            idempotency_key=idempotency_key,
        )
    except ReportInvalid as exc:
        return Status(400, {"detail": _("Isian tidak valid. Periksa kolom yang ditandai."), "errors": _api_paths(exc.errors)})
    except IdempotencyConflict:
        return Status(409, {"detail": _("Idempotency-Key ini sudah dipakai untuk pengaduan lain."), "errors": {}})
    response["Cache-Control"] = "no-store"
    if not receipt.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, {"reference": receipt.reference, "codename": receipt.codename})


def _api_paths(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: [str(m) for m in messages] for key, messages in errors.items()}


@api.get("/health", response={200: dict}, include_in_schema=False)
def api_health(request: HttpRequest) -> Any:
    return {"status": "ok"}
