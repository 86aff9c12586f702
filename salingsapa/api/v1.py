"""JSON API v1: public report intake for the WhatsApp channel, partner apps and a future mobile app.

``POST /api/v1/reports`` takes intake's one report schema (``intake.schema.ReportInput``, the same
model the web form and staff intake map into) and calls the same service
(``intake.services.report_create``). Errors are JSON with Bahasa Indonesia messages:

* 400 ``{"detail": ..., "errors": {"victim.sex": ["..."]}, "codes": {"victim.sex": ["required"]}}``
  for bad input (never 422), with the schema's error codes per field,
* 409 when an ``Idempotency-Key`` is reused for a different submission,
* 413 when the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
* 429 when the client (keyed hash of its IP) sent too many reports.

The schema is served at ``/api/v1/openapi.json``; the interactive docs page is off (it would
load scripts from a CDN).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError

from salingsapa.intake import ratelimit
from salingsapa.intake.models import Channel
from salingsapa.intake.schema import (
    CODES,
    SEMANTIC_CODES,
    FieldError,
    ReportInput,
    ReportInvalid,
    field_errors,
)
from salingsapa.intake.services import IdempotencyConflict, report_create

NUL_FREE = r"^[^\u0000]*$"


class SalingSapaAPI(NinjaAPI):
    """The API, with the rules every endpoint shares stated in its OpenAPI document.

    * any query or form value holding NUL or an unpaired surrogate is refused with a 400
      (``public.middleware.ForbiddenCharactersMiddleware``): text parameters carry a NUL-free pattern;
    * every operation that takes input documents the 400 it answers for bad input (``ErrorOut``).
    """

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                params = operation.get("parameters", [])
                for param in params:
                    _nul_free(param.get("schema", {}))
                if (params or operation.get("requestBody")) and "400" not in operation.get("responses", {}):
                    operation.setdefault("responses", {})["400"] = {
                        "description": "Bad Request",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                    }
        return schema


def _nul_free(schema: dict[str, Any]) -> None:
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("type") == "string" and "enum" not in option and "format" not in option:
            option.setdefault("pattern", NUL_FREE)


api = SalingSapaAPI(
    title="Saling Sapa API",
    version="1",
    description=(
        "Pengaduan kekerasan terhadap perempuan dan anak, Kota Serang. Public report intake; "
        "messages in Bahasa Indonesia. Send an `Idempotency-Key` header to make retries safe."
    ),
    docs_url=None,
    urls_namespace="api-v1",
)


class ReportCreatedOut(Schema):
    reference: str = Field(..., description="short reference, e.g. LP-7K3M-9QX2")
    codename: str = Field(..., description="seven-word passphrase for /lapor/cek; shown once, stored only hashed")


class ErrorOut(Schema):
    detail: str = Field(..., description="what went wrong, in Bahasa Indonesia")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="messages per field path (e.g. `victim.sex`), in Bahasa Indonesia")
    codes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="error codes per field path: " + ", ".join(f"`{c}`" for c in CODES)
        + ". Codes a request valid by this document can still get (rules no JSON Schema keyword states): "
        + ", ".join(f"`{c}`" for c in sorted(SEMANTIC_CODES)) + ".",
    )


def _error_response(status: int, detail: str, errors: dict[str, list[str]] | None = None,
                    codes: dict[str, list[str]] | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail, "errors": errors or {}, "codes": codes or {}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _path(loc: tuple[Any, ...] | list[Any]) -> tuple[str, ...]:
    """The field path of a ninja validation error: ``body.payload.victim.sex`` → ``victim.sex``."""
    parts = tuple(str(p) for p in loc)
    if parts[:2] == ("body", "payload"):
        return parts[2:]
    if parts[:1] == ("header",):
        return ("header",) + parts[1:]
    if parts[:1] in {("body",), ("query",)}:
        return parts[1:]
    return parts


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Schema errors, with the codes and messages of ``intake.schema`` (the one table)."""
    items = []
    for item in exc.errors:
        path = _path(item.get("loc", ()))
        if not path:
            items.append({"loc": ("body",), "type": "not_object",
                          "ctx": {"msgid": N_("Isi permintaan harus berupa objek JSON.")}})
        else:
            items.append({**item, "loc": path})
    return _invalid(field_errors(items))


def _invalid(found: list[FieldError]) -> JsonResponse:
    errors: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for error in found:
        for bucket, value in ((errors.setdefault(error.field, []), error.message),
                              (codes.setdefault(error.field, []), error.code)):
            if value not in bucket:
                bucket.append(value)
    response = JsonResponse({"detail": _("Isian tidak valid. Periksa kolom yang ditandai."), "errors": errors,
                             "codes": codes}, status=400)
    response["Cache-Control"] = "no-store"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse"):  # django-ninja's JSON parse failure
        return _error_response(400, _("Isi permintaan bukan JSON yang valid."), {"body": [_("JSON tidak valid.")]},
                               {"body": ["invalid_json"]})
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


# The ``Idempotency-Key`` header of a submission (a report, a booking): a retry with the same key and body
# replays the first answer.
IDEMPOTENCY_KEY: Any = Header(None, alias="Idempotency-Key", max_length=200)


@api.post(
    "/reports",
    response={201: ReportCreatedOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, 429: ErrorOut},
    summary="Kirim pengaduan (submit a report)",
    tags=["reports"],
)
@decorate_view(guarded("api-report", "REPORT_RATE_LIMIT", "REPORT_RATE_WINDOW"))
def reports_create(request: HttpRequest, response: HttpResponse, payload: ReportInput,
                   idempotency_key: str | None = IDEMPOTENCY_KEY) -> Any:
    try:
        receipt = report_create(data=payload, channel=Channel.API, idempotency_key=idempotency_key)
    except ReportInvalid as exc:
        return _invalid(exc.field_errors)
    except IdempotencyConflict:
        return _error_response(409, _("Idempotency-Key ini sudah dipakai untuk pengaduan lain."))
    return created(response, receipt, {"reference": receipt.reference, "codename": receipt.codename})


def created(response: HttpResponse, receipt: Any, body: dict[str, Any]) -> Any:
    """The 201 of a submission that honours ``Idempotency-Key`` (a report, a booking): never cached, and
    ``Idempotent-Replayed: true`` when the receipt is a replay of the same key and body."""
    response["Cache-Control"] = "no-store"
    if not receipt.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, body)


@api.get("/health", response={200: dict}, include_in_schema=False)
def api_health(request: HttpRequest) -> Any:
    return {"status": "ok"}
