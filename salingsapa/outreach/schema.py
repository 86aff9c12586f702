"""The one booking schema: the API's JSON body and the web forms both validate through it.

It reuses intake's contact block (``intake.schema.ContactIn``: phone rules, safe channel, safe
time) and its error machinery (``FieldError`` with a stable code and a message in the active
language), so a booking and a report speak the same language of errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.utils.translation import gettext_noop as N_
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
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
    contact: ContactIn | None = Field(None, description="needed when anonymous is false (sealed at rest)")
    topic: TopicText = Field("", max_length=TOPIC_MAX, description="optional: what the person wants to talk about")

    @model_validator(mode="after")
    def _contact_rules(self) -> BookingInput:
        _check_contact(self.anonymous, self.contact, callback=False)
        return self


class RequestInput(_In):
    """A request for a visit to a school or kelurahan, or for a call-back."""

    kind: Literal["visit_request", "callback"]
    anonymous: Flag = True
    contact: ContactIn | None = None
    kelurahan_code: str = Field("", pattern=KELURAHAN_PATTERN + "|^$")
    venue_kind: Literal[tuple(VenueKind.values) + ("",)] = ""  # type: ignore[valid-type]
    venue_name: VenueText = Field("", max_length=VENUE_NAME_MAX)
    when: WhenText = Field("", max_length=WHEN_MAX)
    topic: TopicText = Field("", max_length=TOPIC_MAX)

    @model_validator(mode="after")
    def _rules(self) -> RequestInput:
        _check_contact(self.anonymous, self.contact, callback=self.kind == "callback")
        if self.kind == "visit_request" and not self.venue_name:
            raise PydanticCustomError("place_needed", "a place is needed")
        return self


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


# Where each rule of a whole booking lands (the field a person must change).
_RULE_FIELD = {
    "contact_needed": "contact",
    "channel_needed": "contact.preferred_channel",
    "callback_needs_contact": "contact",
    "anonymous_with_contact": "anonymous",
    "place_needed": "venue_name",
}


def errors_of(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as ``FieldError``s, the rules of this schema on the field they concern."""
    out: list[FieldError] = []
    plain: list[dict[str, Any]] = []
    for item in exc.errors(include_url=False):
        kind = str(item.get("type", ""))
        if kind in MESSAGES:
            out.append(field_error(_RULE_FIELD[kind], kind, MESSAGES[kind]))
        else:
            plain.append(dict(item))
    return field_errors(plain) + out


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
