"""The one booking schema: the API's JSON body and the web forms both validate through it.

It reuses intake's contact block (``intake.schema.ContactIn``: phone rules, safe channel, safe
time) and its error machinery (``FieldError`` with a stable code and a message in the active
language), so a booking and a report speak the same language of errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.utils.translation import gettext_noop as N_
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic.json_schema import JsonDict
from pydantic_core import PydanticCustomError

from salingsapa.intake.schema import (
    KELURAHAN_PATTERN,
    ContactIn,
    FieldError,
    Flag,
    _text,
    field_error,
    field_errors,
)
from salingsapa.outreach.models import Booking, VenueKind

NO_NUL: JsonDict = {"pattern": r"^[^\u0000]*$"}  # as intake's text fields: the document says NUL is refused
TOPIC_MAX = 500
VENUE_NAME_MAX = 200
WHEN_MAX = 200

# Messages of this schema's own rules (codes not in intake's table carry their msgid).
MESSAGES = {
    "contact_needed": N_("Isi cara menghubungi Anda (nomor telepon atau email), atau pilih tanpa nama."),
    "channel_needed": N_("Pilih saluran yang aman untuk menghubungi Anda."),
    "callback_needs_contact": N_("Untuk minta dihubungi, isi nomor telepon atau email Anda."),
    "anonymous_with_contact": N_("Anda memilih tanpa nama: kosongkan data kontak, atau pilih dengan kontak."),
    "place_needed": N_("Tulis nama sekolah atau tempat yang ingin dikunjungi."),
}

if TYPE_CHECKING:
    TopicText: TypeAlias = str
    VenueText: TypeAlias = str
    WhenText: TypeAlias = str
else:
    TopicText = _text(TOPIC_MAX)
    VenueText = _text(VENUE_NAME_MAX)
    WhenText = _text(WHEN_MAX)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BookingInput(_In):
    """A booking of a slot at a visit. ``{"anonymous": true}`` alone books the next free slot."""

    anonymous: Flag = Field(True, description="true: no contact details are kept; follow up with reference + codename")
    slot_id: int | None = Field(None, ge=1, description="a free slot of this visit; omitted: the next free slot")
    contact: ContactIn | None = Field(
        None, validate_default=True,
        description="needed when anonymous is false, with a phone or email and a safe preferred_channel "
                    "(else 400 `contact_needed` / `channel_needed`); refused when anonymous is true "
                    "(`anonymous_with_contact`). Sealed at rest.")
    topic: TopicText = Field("", max_length=TOPIC_MAX, json_schema_extra=NO_NUL,
                             description="optional: what the person wants to talk about")

    @field_validator("contact")
    @classmethod
    def _contact_rules(cls, value: ContactIn | None, info: ValidationInfo) -> ContactIn | None:
        if "anonymous" in info.data:
            _check_contact(info.data["anonymous"], value, callback=False)
        return value


class RequestInput(_In):
    """A request for a visit to a school or kelurahan, or for a call-back."""

    kind: Literal["visit_request", "callback"]
    anonymous: Flag = True
    contact: ContactIn | None = Field(None, validate_default=True,
                                      description="needed for a call-back (`callback_needs_contact`)")
    kelurahan_code: str = Field("", pattern=KELURAHAN_PATTERN + "|^$")
    venue_kind: Literal[tuple(VenueKind.values) + ("",)] = ""  # type: ignore[valid-type]
    venue_name: VenueText = Field("", max_length=VENUE_NAME_MAX, validate_default=True, json_schema_extra=NO_NUL,
                                  description="needed for a visit request (`place_needed`)")
    when: WhenText = Field("", max_length=WHEN_MAX, json_schema_extra=NO_NUL)
    topic: TopicText = Field("", max_length=TOPIC_MAX, json_schema_extra=NO_NUL)

    @field_validator("contact")
    @classmethod
    def _contact_rules(cls, value: ContactIn | None, info: ValidationInfo) -> ContactIn | None:
        if "anonymous" in info.data and "kind" in info.data:
            _check_contact(info.data["anonymous"], value, callback=info.data["kind"] == "callback")
        return value

    @field_validator("venue_name")
    @classmethod
    def _place(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") == "visit_request" and not value:
            raise PydanticCustomError("place_needed", "a place is needed")
        return value


def _has_contact(contact: ContactIn | None) -> bool:
    return bool(contact and (contact.phone or contact.email or contact.name))


def _check_contact(anonymous: bool, contact: ContactIn | None, *, callback: bool) -> None:
    if callback and (anonymous or not contact or not (contact.phone or contact.email)):
        raise PydanticCustomError("callback_needs_contact", "a call-back needs a phone number or email")
    if anonymous:
        if _has_contact(contact):
            raise PydanticCustomError("anonymous_with_contact", "anonymous bookings carry no contact details")
        return
    if not contact or not (contact.phone or contact.email):
        raise PydanticCustomError("contact_needed", "contact details are needed")
    if not contact.preferred_channel or contact.preferred_channel == "none":
        raise PydanticCustomError("channel_needed", "a safe channel is needed")


class BookingInvalid(ValueError):
    """Validation failed; ``field_errors`` as intake's ``ReportInvalid``."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("booking is invalid")
        self.field_errors = errors

    @property
    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for error in self.field_errors:
            out.setdefault(error.field, []).append(error.message)
        return out


# Rules raised on the contact block that concern one of its fields.
_RULE_FIELD = {"channel_needed": "contact.preferred_channel"}


def errors_of(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as ``FieldError``s; this schema's own rules keep their code and message."""
    out: list[FieldError] = []
    for item in exc.errors(include_url=False):
        kind = str(item.get("type", ""))
        if kind in MESSAGES:
            path = ".".join(str(p) for p in item.get("loc", ())) or "body"
            out.append(field_error(_RULE_FIELD.get(kind, path), kind, MESSAGES[kind]))
        else:
            out.extend(field_errors([dict(item)]))
    return out


def booking_input(raw: Mapping[str, Any] | BookingInput) -> BookingInput:
    if isinstance(raw, BookingInput):
        return raw
    if not isinstance(raw, Mapping):
        raise BookingInvalid([field_error("body", "not_object")])
    try:
        return BookingInput.model_validate(dict(raw))
    except ValidationError as exc:
        raise BookingInvalid(errors_of(exc)) from None


def request_input(raw: Mapping[str, Any] | RequestInput) -> RequestInput:
    if isinstance(raw, RequestInput):
        return raw
    if not isinstance(raw, Mapping):
        raise BookingInvalid([field_error("body", "not_object")])
    try:
        return RequestInput.model_validate(dict(raw))
    except ValidationError as exc:
        raise BookingInvalid(errors_of(exc)) from None


KIND_OF_REQUEST = {"visit_request": Booking.Kind.VISIT_REQUEST, "callback": Booking.Kind.CALLBACK}

# Rules no JSON Schema keyword states (as ``intake.schema.SEMANTIC_CODES``): a body valid by the
# OpenAPI document can still get a 400 with one of these codes; each is described on its field.
SEMANTIC_CODES = frozenset(MESSAGES)
