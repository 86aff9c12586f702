"""The one report schema. Every channel maps its input into it and is validated here, once.

The web form (``public/draft.py``), staff intake (``staff/forms.py``), the JSON API (``api/v1.py``)
and the coming WhatsApp and mobile-counselling channels build a plain ``dict`` in the shape of
:class:`ReportInput` (the shape of the API's JSON body) and call :func:`report_input`. It either
returns the validated model or raises :class:`ReportInvalid`, whose ``field_errors`` each carry

* ``field`` — the path of the field (``victim.sex``, ``perpetrator_identifiers.0.value``),
* ``code`` — a stable error code (see :data:`CODES`),
* ``message`` — a Bahasa Indonesia message (translated to the active language).

Web forms put each error on their own field by its path; nothing matches on message text.
The same model is the API's request body, so the OpenAPI document states the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from salingsapa.core import codelists
from salingsapa.core.identifiers import KINDS, InvalidIdentifier, normalise_identifier, normalise_phone
from salingsapa.core.models import Region
from salingsapa.core.textinput import INVISIBLE, VISIBLE_TEXT_PATTERN, has_forbidden_characters

NARRATIVE_MAX = 10_000
NAME_MAX = 200
SAFE_TIME_MAX = 200
PHONE_MAX = 40
EMAIL_MAX = 254
IDENTIFIER_MAX = 300
MAX_IDENTIFIERS = 10
EARLIEST_INCIDENT = dt.date(1950, 1, 1)
PHONE_CHANNELS = frozenset({"whatsapp", "phone", "sms"})
KELURAHAN_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"

# Every error code the schema gives, with its default Bahasa Indonesia message (gettext msgid).
CODES: dict[str, str] = {
    "required": N_("Wajib diisi."),
    "invalid_choice": N_("Pilihan tidak dikenal."),
    "not_text": N_("Harus berupa teks."),
    "not_boolean": N_("Harus bernilai true atau false."),
    "not_list": N_("Harus berupa daftar."),
    "not_object": N_("Harus berupa objek."),
    "invalid_date": N_("Tanggal harus berformat TTTT-BB-HH."),
    "future_date": N_("Tanggal kejadian tidak boleh di masa depan."),
    "implausible_date": N_("Tanggal kejadian tidak masuk akal."),
    "too_long": N_("Isian terlalu panjang."),
    "too_many": N_("Terlalu banyak isian."),
    "invalid_characters": N_("Isian berisi karakter yang tidak diizinkan."),
    "outside_area": N_("Pilih kelurahan tempat kejadian di Kota Serang."),
    "invalid_phone": N_("Nomor telepon tidak valid."),
    "invalid_identifier": N_("Identitas tidak valid."),
    "age_group_is_child": N_("Kelompok umur ini berarti korban masih anak. Periksa lagi jawaban Anda."),
    "age_group_is_adult": N_("Korban anak berumur di bawah 18 tahun. Periksa kelompok umur."),
    "phone_needed": N_("Isi nomor telepon agar kami dapat menghubungi Anda lewat saluran ini."),
    "email_needed": N_("Isi alamat email agar kami dapat menghubungi Anda lewat email."),
    "invalid_email": N_("Tulis alamat email seperti nama@contoh.id."),
    "invalid_json": N_("JSON tidak valid."),
    "unknown_field": N_("Kolom tidak dikenal."),
    "invalid": N_("Isian tidak valid."),
}
# Rules that no JSON Schema keyword can state: a request valid by the OpenAPI document can still
# get a 400 with one of these codes (each is described on its field in the document).
SEMANTIC_CODES = frozenset({"invalid_phone", "invalid_identifier", "outside_area", "future_date",
                            "age_group_is_child", "age_group_is_adult", "phone_needed", "email_needed",
                            "invalid_email"})

# A message of its own for some (field, code) pairs; ``*`` stands for a list index.
FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("reporter_role", "required"): N_("Pilih siapa yang melapor."),
    ("reporter_role", "invalid_choice"): N_("Pilih siapa yang melapor."),
    ("in_danger_now", "required"): N_("Jawab apakah ada orang yang dalam bahaya saat ini."),
    ("narrative", "required"): N_("Ceritakan secara singkat apa yang terjadi."),
    ("narrative", "too_long"): N_("Cerita terlalu panjang (maksimal 10.000 karakter)."),
    ("violence_forms", "required"): N_("Pilih setidaknya satu bentuk kekerasan."),
    ("violence_forms.*", "invalid_choice"): N_("Ada bentuk kekerasan yang tidak dikenal."),
    ("tpks_forms.*", "invalid_choice"): N_("Ada bentuk kekerasan seksual yang tidak dikenal."),
    ("victim", "required"): N_("Isi data korban (jenis kelamin dan kelompok umur)."),
    ("victim.sex", "required"): N_("Pilih jenis kelamin korban."),
    ("victim.sex", "invalid_choice"): N_("Pilih jenis kelamin korban."),
    ("victim.age_group", "required"): N_("Pilih kelompok umur korban."),
    ("victim.age_group", "invalid_choice"): N_("Pilih kelompok umur korban."),
    ("kelurahan_code", "required"): N_("Pilih kelurahan tempat kejadian di Kota Serang."),
    ("kelurahan_code", "invalid_choice"): N_("Pilih kelurahan tempat kejadian di Kota Serang."),
    ("perpetrator_identifiers", "too_many"): N_("Paling banyak 10 identitas pelaku."),
    ("contact.name", "too_long"): N_("Nama terlalu panjang."),
}

# pydantic's error types → our codes
_PYDANTIC_CODES = {
    "missing": "required",
    "string_too_short": "required",
    "too_short": "required",
    "literal_error": "invalid_choice",
    "enum": "invalid_choice",
    "string_pattern_mismatch": "invalid_choice",
    "string_type": "not_text",
    "bool_type": "not_boolean",
    "bool_parsing": "not_boolean",
    "list_type": "not_list",
    "model_type": "not_object",
    "model_attributes_type": "not_object",
    "dict_type": "not_object",
    "date_type": "invalid_date",
    "date_parsing": "invalid_date",
    "date_from_datetime_parsing": "invalid_date",
    "date_from_datetime_inexact": "invalid_date",
    "string_too_long": "too_long",
    "extra_forbidden": "unknown_field",
    "too_long": "too_many",
}


class FieldError(NamedTuple):
    field: str
    code: str
    message: str


def field_error(field: str, code: str, msgid: str | None = None) -> FieldError:
    """One error with its message in the active language (``msgid`` overrides the code's message)."""
    if msgid is None:
        pattern = re.sub(r"\.\d+(?=\.|$)", ".*", field)
        msgid = FIELD_MESSAGES.get((pattern, code)) or CODES.get(code) or CODES["invalid"]
    return FieldError(field, code, gettext(msgid))


class ReportInvalid(ValueError):
    """Validation failed. ``field_errors`` lists (field, code, message); ``errors`` groups messages by field."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        super().__init__("report is invalid")
        self.field_errors: list[FieldError] = list(errors)

    @property
    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for error in self.field_errors:
            bucket = out.setdefault(error.field, [])
            if error.message not in bucket:
                bucket.append(error.message)
        return out

    @property
    def codes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for error in self.field_errors:
            bucket = out.setdefault(error.field, [])
            if error.code not in bucket:
                bucket.append(error.code)
        return out


# --- field types --------------------------------------------------------------------------------


def clean_text(value: Any) -> Any:
    """Strip a text; text of only spaces or zero-width characters counts as empty; NUL and lone
    surrogates are refused. Non-text values pass through to the type check."""
    if not isinstance(value, str):
        return value
    if has_forbidden_characters(value):
        raise PydanticCustomError("invalid_characters", "text holds NUL or unpaired surrogate characters")
    text = value.strip()
    if not INVISIBLE.sub("", text).strip():
        return ""
    return text


def _no_null(value: Any) -> Any:
    if isinstance(value, str) and has_forbidden_characters(value):
        raise PydanticCustomError("invalid_characters", "text holds NUL or unpaired surrogate characters")
    return value


def _text(max_length: int) -> Any:
    """Text up to ``max_length`` characters as sent (spaces around it count: the document's
    ``maxLength`` is about the value on the wire), cleaned by :func:`clean_text`."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > max_length:
            raise PydanticCustomError("string_too_long", "text longer than {max_length}", {"max_length": max_length})
        return clean_text(value)

    return Annotated[str, BeforeValidator(check), Field(strict=True, max_length=max_length)]


if TYPE_CHECKING:
    NarrativeText: TypeAlias = str
    NameText: TypeAlias = str
    PhoneText: TypeAlias = str
    EmailText: TypeAlias = str
    IdentifierText: TypeAlias = str
else:
    NarrativeText = _text(NARRATIVE_MAX)
    NameText = _text(NAME_MAX)  # also the safe time
    PhoneText = _text(PHONE_MAX)
    EmailText = _text(EMAIL_MAX)
    IdentifierText = _text(IDENTIFIER_MAX)
Flag = Annotated[bool, Field(strict=True)]
Code = Annotated[str, BeforeValidator(_no_null), Field(strict=True)]

if TYPE_CHECKING:
    ReporterRole: TypeAlias = str
    ViolenceForm: TypeAlias = str
    TpksForm: TypeAlias = str
    Sex: TypeAlias = str
    AgeGroup: TypeAlias = str
    PreferredChannel: TypeAlias = str
    IdentifierKind: TypeAlias = str
    PlaceCode: TypeAlias = str
    RelationshipCode: TypeAlias = str
    MetViaCode: TypeAlias = str
    PlatformCode: TypeAlias = str
else:

    def _enum(list_name: str, *, blank: bool = False) -> Any:
        return Literal[tuple(codelists.slugs(list_name)) + (("",) if blank else ())]

    ReporterRole = _enum("reporter_role")
    ViolenceForm = _enum("violence_form")
    TpksForm = _enum("tpks_form")
    Sex = _enum("sex")
    AgeGroup = _enum("age_group")
    PreferredChannel = _enum("preferred_channel")
    IdentifierKind = Literal[KINDS]
    PlaceCode = _enum("place", blank=True)
    RelationshipCode = _enum("relationship", blank=True)
    MetViaCode = _enum("met_via", blank=True)
    PlatformCode = _enum("platform", blank=True)


def _date(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD`` text (or a ``date`` from Python callers); never numbers."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        value = _no_null(value.strip())
        if not value:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise PydanticCustomError("date_parsing", "date must be YYYY-MM-DD")
        return value
    raise PydanticCustomError("date_type", "date must be YYYY-MM-DD text")


DATE_PATTERN = r"^(19[5-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _date_schema(schema: dict[str, Any]) -> None:
    for option in schema.get("anyOf", []):
        if option.get("type") == "string":
            option["pattern"] = DATE_PATTERN


IncidentDate = Annotated[dt.date | None, BeforeValidator(_date)]


def home_kelurahan(code: str) -> Region | None:
    """The kelurahan of the home region (Kota Serang) with this Kemendagri code, else None."""
    if not code or not code.startswith(settings.HOME_REGION_CODE + "."):
        return None
    return Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()


_KELURAHAN_CODES: dict[str, tuple[str, ...]] = {}


def _kelurahan_codes(home: str) -> tuple[str, ...]:
    if not _KELURAHAN_CODES.get(home):  # reference data: read once it is loaded
        _KELURAHAN_CODES[home] = tuple(Region.objects.filter(code__startswith=home + ".", level=Region.Level.VILLAGE)
                                       .order_by("code").values_list("code", flat=True))
    return _KELURAHAN_CODES[home]


def _kelurahan_schema(schema: dict[str, Any]) -> None:
    """The OpenAPI document lists the kelurahan codes the server accepts (read when it is generated)."""
    try:
        codes = _kelurahan_codes(settings.HOME_REGION_CODE)
    except Exception:  # noqa: BLE001  (no database while generating offline: the pattern still holds)
        return
    if codes:
        schema["enum"] = list(codes)
        schema.pop("pattern", None)


def _visible(schema: dict[str, Any]) -> None:
    schema["pattern"] = VISIBLE_TEXT_PATTERN


def _no_nul(schema: dict[str, Any]) -> None:
    schema["pattern"] = r"^[^\u0000]*$"


# --- the schema -----------------------------------------------------------------------------------


class _In(BaseModel):
    # An unknown field is refused, not dropped: a misspelt "contact" must not lose a request to be called back.
    model_config = ConfigDict(extra="forbid", frozen=False)


class VictimIn(_In):
    sex: Sex = Field(..., description="female, male or unknown")
    age_group: AgeGroup = Field(..., description="SIMFONI-PPA age group, e.g. 13-17")
    is_child: Flag | None = Field(
        None, validate_default=False,
        description="under 18; derived from age_group when omitted. Must agree with age_group "
                    "(else 400 `age_group_is_child` / `age_group_is_adult`).",
    )

    @field_validator("is_child")
    @classmethod
    def _agrees_with_age(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        age = info.data.get("age_group")
        if not age or value is None:
            return value
        child_by_age = age in codelists.CHILD_AGE_GROUPS
        if value is False and child_by_age:
            raise PydanticCustomError("age_group_is_child", "the age group is a child's")
        if value is True and not child_by_age:
            raise PydanticCustomError("age_group_is_adult", "the age group is an adult's")
        return value

    @property
    def child(self) -> bool:
        return self.age_group in codelists.CHILD_AGE_GROUPS or bool(self.is_child)


class IdentifierIn(_In):
    kind: IdentifierKind = Field(..., description="phone, nik, instagram, facebook, tiktok, x, whatsapp, telegram, email, other")
    value: IdentifierText = Field(
        ..., min_length=1, max_length=IDENTIFIER_MAX, json_schema_extra=_visible,
        description="a number, a profile URL or a handle; must be a valid identifier of its kind "
                    "(else 400 `invalid_identifier` or `invalid_phone`)",
    )

    @field_validator("value")
    @classmethod
    def _valid_for_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is None:
            return value
        try:
            normalise_identifier(kind, value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError(
                "invalid_phone" if exc.code == "phone" else "invalid_identifier", "{msgid}", {"msgid": str(exc)}
            ) from None
        return value

    def normalised(self) -> tuple[str, str]:
        return normalise_identifier(self.kind, self.value)


class ContactIn(_In):
    name: NameText = Field("", max_length=NAME_MAX, json_schema_extra=_no_nul)
    preferred_channel: PreferredChannel | None = Field(None, description="whatsapp, phone, sms, email or none")
    phone: PhoneText = Field(
        "", max_length=PHONE_MAX, validate_default=True, json_schema_extra=_no_nul,
        description="an Indonesian (08…, +62…) or international (+…) number; digits, spaces, "
                    "+ ( ) - . only, no letters (else 400 `invalid_phone`). Needed when "
                    "preferred_channel is whatsapp, phone or sms (else 400 `phone_needed`).",
    )
    email: EmailText = Field(
        "", max_length=EMAIL_MAX, validate_default=True, json_schema_extra=_no_nul,
        description="an email address; needed when preferred_channel is email (else 400 `email_needed`; "
                    "an address that is not one: 400 `invalid_email`)",
    )
    safe_time: NameText = Field("", max_length=SAFE_TIME_MAX, json_schema_extra=_no_nul,
                            description="when it is safe to contact, in the person's words")

    @field_validator("phone")
    @classmethod
    def _real_phone(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            if info.data.get("preferred_channel") in PHONE_CHANNELS:
                raise PydanticCustomError("phone_needed", "a phone number is needed for this channel")
            return value
        try:
            normalise_phone(value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError("invalid_phone", "{msgid}", {"msgid": str(exc)}) from None
        return value

    @field_validator("email")
    @classmethod
    def _real_email(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            if info.data.get("preferred_channel") == "email":
                raise PydanticCustomError("email_needed", "an email address is needed for this channel")
            return value
        try:
            validate_email(value)
        except DjangoValidationError:
            raise PydanticCustomError("invalid_email", "not an email address") from None
        return value

    @property
    def phone_e164(self) -> str:
        return normalise_phone(self.phone) if self.phone else ""


class ConsentIn(_In):
    contact_me: Flag = False
    share_with_partners: Flag = False


class ReportInput(_In):
    """One report as any channel gives it (the API's JSON body has exactly this shape)."""

    reporter_role: ReporterRole
    in_danger_now: Flag
    narrative: NarrativeText = Field(
        ..., min_length=1, max_length=NARRATIVE_MAX, json_schema_extra=_visible,
        description="what happened, in the reporter's words (1 to 10,000 characters; spaces and "
                    "zero-width characters alone count as empty)",
    )
    violence_forms: list[ViolenceForm] = Field(..., min_length=1, description="SIMFONI-PPA forms of violence (slugs), at least one")
    victim: VictimIn
    kelurahan_code: Code = Field(
        ..., min_length=1, max_length=13, pattern=KELURAHAN_PATTERN, json_schema_extra=_kelurahan_schema,
        description="Kemendagri code of a kelurahan of Kota Serang, e.g. 36.73.01.1001",
    )
    tpks_forms: list[TpksForm] = Field(default_factory=list, description="UU TPKS forms (slugs), optional")
    incident_date: IncidentDate = Field(
        None, json_schema_extra=_date_schema,
        description="YYYY-MM-DD, from 1950-01-01 to today in Asia/Jakarta (a later date: 400 `future_date`)",
    )
    place: PlaceCode = Field("", description="SIMFONI-PPA place (slug), optional")
    relationship: RelationshipCode = Field("", description="perpetrator's relationship to the victim (slug), optional")
    met_via: MetViaCode = Field("", description="how victim and perpetrator met (slug), optional")
    met_via_platform: PlatformCode = Field("", description="which platform, when they met online (slug), optional")
    perpetrator_identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)
    contact: ContactIn | None = None
    consent: ConsentIn | None = None

    @field_validator("kelurahan_code")
    @classmethod
    def _in_home_region(cls, value: str) -> str:
        # the home region's kelurahan codes are read once per process (reference data), not per report
        if value not in _kelurahan_codes(settings.HOME_REGION_CODE) and home_kelurahan(value) is None:
            raise PydanticCustomError("outside_area", "not a kelurahan of the home region")
        return value

    @field_validator("incident_date")
    @classmethod
    def _plausible_date(cls, value: dt.date | None) -> dt.date | None:
        # The one place that says an incident date cannot be in the future.
        if value is not None:
            if value > timezone.localdate():
                raise PydanticCustomError("future_date", "the incident date is in the future")
            if value < EARLIEST_INCIDENT:
                raise PydanticCustomError("implausible_date", "the incident date is before 1950")
        return value

    @field_validator("violence_forms", "tpks_forms")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def model_post_init(self, context: Any, /) -> None:
        if self.met_via_platform and not self.met_via:
            self.met_via = "media-sosial"

    # Conveniences for the writer
    @property
    def contact_or_blank(self) -> ContactIn:
        return self.contact or ContactIn.model_validate({})

    @property
    def consent_or_blank(self) -> ConsentIn:
        return self.consent or ConsentIn.model_validate({})


def _api_field(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def pydantic_code(kind: str) -> str:
    """Our code for one of pydantic's error types (our own custom types keep their name)."""
    if kind in CODES:
        return kind
    return _PYDANTIC_CODES.get(kind, "invalid")


def field_errors(items: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """pydantic's error dicts (``ValidationError.errors()``; ``loc`` already relative to the report) as ``FieldError``s."""
    out: list[FieldError] = []
    for item in items:
        path = _api_field(item.get("loc", ()))
        ctx = item.get("ctx") or {}
        out.append(field_error(path, pydantic_code(str(item.get("type", ""))), ctx.get("msgid")))
    return out


def report_input(raw: Mapping[str, Any] | ReportInput) -> ReportInput:
    """Validate a plain dict in the API's shape (the one mapping every channel calls)."""
    if isinstance(raw, ReportInput):
        return raw
    if not isinstance(raw, Mapping):
        raise ReportInvalid([field_error("body", "not_object")])
    try:
        return ReportInput.model_validate(dict(raw))
    except ValidationError as exc:
        raise ReportInvalid(field_errors(exc.errors(include_url=False))) from None


def report_errors(raw: Mapping[str, Any]) -> list[FieldError]:
    """Every error :func:`report_input` finds in ``raw`` (empty when it is valid)."""
    try:
        report_input(raw)
    except ReportInvalid as exc:
        return exc.field_errors
    return []


def report_check(raw: Mapping[str, Any], *, fields: Collection[str]) -> list[FieldError]:
    """The errors :func:`report_input` would give for the named fields only (for one page of a form).

    ``fields`` holds paths or their prefixes (``victim`` covers ``victim.sex``)."""
    try:
        report_input(raw)
    except ReportInvalid as exc:
        return [e for e in exc.field_errors if _covered(e.field, fields)]
    return []


def _covered(path: str, fields: Collection[str]) -> bool:
    return any(path == f or path.startswith(f + ".") for f in fields)


FormErrorTarget = Callable[[str, str], None]


def errors_to_form(errors: Iterable[FieldError], field_names: Mapping[str, str], add: FormErrorTarget) -> None:
    """Hand each error to ``add(form_field, message)``, finding the form field by the error's path.

    ``field_names`` maps paths (or path prefixes, longest wins) to a form's field names; an error
    whose path has no form field goes to ``add("", message)`` (shown at the top of the form)."""
    for error in errors:
        name = ""
        best = -1
        for path, form_field in field_names.items():
            if (error.field == path or error.field.startswith(path + ".")) and len(path) > best:
                name, best = form_field, len(path)
        add(name, error.message)
