"""Writes for reports. Every channel (web form, API, WhatsApp, staff intake) calls ``report_create``.

``report_create`` validates with the same rules for every channel, then writes the report, its
perpetrator identifiers and evidence in one atomic transaction. A retry with the same idempotency
key answers with the same reference and codename and creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salingsapa.core import codelists, crypto
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.core.files import delete_sealed_file
from salingsapa.core.identifiers import (
    InvalidIdentifier,
    identifier_index,
    normalise_identifier,
    normalise_phone,
)
from salingsapa.core.models import Region
from salingsapa.intake.codenames import codename_for_key, codename_new, reference_new
from salingsapa.intake.evidence import StoredEvidence
from salingsapa.intake.models import Channel, Evidence, PendingUpload, Report, ReportIdentifier, ReportMessage
from salingsapa.notify.services import notify_on_duty

logger = logging.getLogger(__name__)

NARRATIVE_MAX = 10_000
MESSAGE_MAX = 5_000
MAX_IDENTIFIERS = 10
PHONE_CHANNELS = {"whatsapp", "phone", "sms"}
EMERGENCY_FORMS = {"seksual"}


@dataclass
class IdentifierInput:
    kind: str
    value: str


@dataclass
class ReportInput:
    """One report as any channel gives it. Keys of validation errors use the API's field paths."""

    reporter_role: str = ""
    in_danger_now: bool | None = None
    narrative: str = ""
    violence_forms: list[str] = field(default_factory=list)
    victim_sex: str = ""
    victim_age_group: str = ""
    kelurahan_code: str = ""
    victim_is_child: bool | None = None
    tpks_forms: list[str] = field(default_factory=list)
    incident_date: dt.date | None = None
    place: str = ""
    relationship: str = ""
    met_via: str = ""
    met_via_platform: str = ""
    perpetrator_identifiers: list[IdentifierInput] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    preferred_channel: str = ""
    safe_time: str = ""
    consent_contact: bool = False
    consent_share: bool = False


class ReportInvalid(ValueError):
    """Validation failed; ``errors`` maps field paths (``victim.sex``) to Bahasa Indonesia messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("report is invalid")
        self.errors = errors


class IdempotencyConflict(ValueError):
    """The idempotency key was already used for a different submission."""


@dataclass
class ReportReceipt:
    report: Report
    codename: str
    created: bool

    @property
    def reference(self) -> str:
        return self.report.reference


@dataclass
class _Clean:
    data: ReportInput
    kelurahan: Region | None
    identifiers: list[tuple[str, str]]
    contact_phone: str
    victim_is_child: bool
    is_emergency: bool


def _in(list_name: str, value: str) -> bool:
    return value in codelists.slugs(list_name)


def home_kelurahan(code: str) -> Region | None:
    if not code or not code.startswith(settings.HOME_REGION_CODE + "."):
        return None
    return Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()


def report_validate(data: ReportInput) -> tuple[_Clean | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}

    def err(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not _in("reporter_role", data.reporter_role):
        err("reporter_role", _("Pilih siapa yang melapor."))
    if data.in_danger_now is None:
        err("in_danger_now", _("Jawab apakah ada orang yang dalam bahaya saat ini."))
    narrative = (data.narrative or "").strip()
    data.narrative = narrative
    if not narrative:
        err("narrative", _("Ceritakan secara singkat apa yang terjadi."))
    elif len(narrative) > NARRATIVE_MAX:
        err("narrative", _("Cerita terlalu panjang (maksimal 10.000 karakter)."))
    forms = list(dict.fromkeys(data.violence_forms or []))
    data.violence_forms = forms
    if not forms:
        err("violence_forms", _("Pilih setidaknya satu bentuk kekerasan."))
    elif any(not _in("violence_form", f) for f in forms):
        err("violence_forms", _("Ada bentuk kekerasan yang tidak dikenal."))
    tpks = list(dict.fromkeys(data.tpks_forms or []))
    data.tpks_forms = tpks
    if any(not _in("tpks_form", f) for f in tpks):
        err("tpks_forms", _("Ada bentuk kekerasan seksual yang tidak dikenal."))
    if not _in("sex", data.victim_sex):
        err("victim.sex", _("Pilih jenis kelamin korban."))
    if not _in("age_group", data.victim_age_group):
        err("victim.age_group", _("Pilih kelompok umur korban."))
    child_by_age = data.victim_age_group in codelists.CHILD_AGE_GROUPS
    if data.victim_is_child is False and child_by_age:
        err("victim.is_child", _("Kelompok umur ini berarti korban masih anak. Periksa lagi jawaban Anda."))
    if data.victim_is_child is True and data.victim_age_group and not child_by_age and _in("age_group", data.victim_age_group):
        err("victim.is_child", _("Korban anak berumur di bawah 18 tahun. Periksa kelompok umur."))
    victim_is_child = child_by_age or bool(data.victim_is_child)

    kelurahan = home_kelurahan(data.kelurahan_code)
    if kelurahan is None:
        err("kelurahan_code", _("Pilih kelurahan tempat kejadian di Kota Serang."))

    if data.incident_date is not None:
        today = timezone.localdate()
        if data.incident_date > today:
            err("incident_date", _("Tanggal kejadian tidak boleh di masa depan."))
        elif data.incident_date < dt.date(1950, 1, 1):
            err("incident_date", _("Tanggal kejadian tidak masuk akal."))
    for name, list_name in (("place", "place"), ("relationship", "relationship"), ("met_via", "met_via"),
                            ("met_via_platform", "platform")):
        value = getattr(data, name) or ""
        setattr(data, name, value)
        if value and not _in(list_name, value):
            err(name, _("Pilihan tidak dikenal."))
    if data.met_via_platform and not data.met_via:
        data.met_via = "media-sosial"

    identifiers: list[tuple[str, str]] = []
    if len(data.perpetrator_identifiers) > MAX_IDENTIFIERS:
        err("perpetrator_identifiers", _("Paling banyak 10 identitas pelaku."))
    else:
        for i, ident in enumerate(data.perpetrator_identifiers):
            try:
                identifiers.append(normalise_identifier(ident.kind, ident.value))
            except InvalidIdentifier as exc:
                path = f"perpetrator_identifiers.{i}.kind" if "Jenis" in str(exc) else f"perpetrator_identifiers.{i}.value"
                err(path, _(str(exc)))

    data.contact_name = (data.contact_name or "").strip()
    data.safe_time = (data.safe_time or "").strip()
    if len(data.contact_name) > 200:
        err("contact.name", _("Nama terlalu panjang."))
    if len(data.safe_time) > 200:
        err("contact.safe_time", _("Isian terlalu panjang."))
    contact_phone = ""
    if (data.contact_phone or "").strip():
        try:
            contact_phone = normalise_phone(data.contact_phone)
        except InvalidIdentifier as exc:
            err("contact.phone", _(str(exc)))
    data.contact_email = (data.contact_email or "").strip()
    if data.contact_email:
        try:
            validate_email(data.contact_email)
        except ValidationError:
            err("contact.email", _("Tulis alamat email seperti nama@contoh.id."))
    if data.preferred_channel and not _in("preferred_channel", data.preferred_channel):
        err("contact.preferred_channel", _("Pilihan tidak dikenal."))
    elif data.preferred_channel in PHONE_CHANNELS and not (data.contact_phone or "").strip():
        err("contact.phone", _("Isi nomor telepon agar kami dapat menghubungi Anda lewat saluran ini."))
    elif data.preferred_channel == "email" and not data.contact_email:
        err("contact.email", _("Isi alamat email agar kami dapat menghubungi Anda lewat email."))

    if errors:
        return None, errors
    is_emergency = bool(data.in_danger_now) or (
        victim_is_child and (bool(EMERGENCY_FORMS & set(forms)) or bool(tpks))
    )
    return _Clean(data, kelurahan, identifiers, contact_phone, victim_is_child, is_emergency), {}


def _fingerprint(data: ReportInput, evidence: Sequence[StoredEvidence]) -> str:
    body = asdict(data)
    if not body.get("contact_email"):
        body.pop("contact_email", None)  # fingerprints of submissions made before the field existed stay the same
    body["evidence"] = sorted(e.sha256 for e in evidence)
    text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    return crypto.keyed_hash(text, purpose="report-fingerprint")


def _idempotency_index(key: str) -> str:
    return crypto.keyed_hash(key, purpose="idempotency-key")


def report_by_idempotency_key(key: str) -> Report | None:
    return Report.objects.filter(idempotency_key=_idempotency_index(key)).first()


def _replay(key: str, fingerprint: str) -> ReportReceipt | None:
    existing = report_by_idempotency_key(key)
    if existing is None:
        return None
    if existing.request_fingerprint and existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(key)
    return ReportReceipt(report=existing, codename=codename_for_key(key), created=False)


def report_create(
    *,
    data: ReportInput,
    channel: str,
    idempotency_key: str | None = None,
    evidence: Sequence[StoredEvidence] = (),
    created_by: Any = None,
    received_at: dt.datetime | None = None,
) -> ReportReceipt:
    """Validate and store one report atomically; raise ``ReportInvalid`` with per-field messages.

    Emergencies (danger now; a child and sexual violence) alert the on-duty officers once the
    transaction has committed.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    key = (idempotency_key or "").strip()[:200] or None
    clean, errors = report_validate(data)
    if clean is None:
        raise ReportInvalid(errors)
    fingerprint = _fingerprint(clean.data, evidence)
    if key:
        replay = _replay(key, fingerprint)
        if replay is not None:
            return replay
    codename = codename_for_key(key) if key else codename_new()
    codename_hash = crypto.hash_codename(codename)  # slow by design: outside the transaction
    try:
        with transaction.atomic():
            report = _insert(clean, channel, key, fingerprint, codename_hash, evidence, created_by, received_at)
    except IntegrityError:
        if key:
            replay = _replay(key, fingerprint)
            if replay is not None:
                return replay
        raise
    if report.is_emergency:
        reference = report.reference
        transaction.on_commit(lambda: _alert(reference), robust=True)
    return ReportReceipt(report=report, codename=codename, created=True)


def _alert(reference: str) -> None:
    notify_on_duty(reference=reference)


def _insert(
    clean: _Clean,
    channel: str,
    key: str | None,
    fingerprint: str,
    codename_hash: str,
    evidence: Sequence[StoredEvidence],
    created_by: Any,
    received_at: dt.datetime | None,
) -> Report:
    d = clean.data
    now = received_at or timezone.now()
    for _attempt in range(5):
        reference = reference_new()
        if not Report.objects.filter(reference=reference).exists():
            break
    report = Report.objects.create(
        reference=reference,
        channel=channel,
        received_at=now,
        is_emergency=clean.is_emergency,
        reporter_role=d.reporter_role,
        in_danger_now=bool(d.in_danger_now),
        narrative=d.narrative,
        violence_forms=d.violence_forms,
        tpks_forms=d.tpks_forms,
        victim_sex=d.victim_sex,
        victim_age_group=d.victim_age_group,
        victim_is_child=clean.victim_is_child,
        kelurahan=clean.kelurahan,
        incident_date=d.incident_date,
        place=d.place,
        relationship=d.relationship,
        met_via=d.met_via,
        met_via_platform=d.met_via_platform,
        contact_name=d.contact_name,
        contact_phone=clean.contact_phone,
        contact_email=d.contact_email,
        contact_phone_index=identifier_index("phone", clean.contact_phone) if clean.contact_phone else "",
        preferred_channel=d.preferred_channel,
        safe_time=d.safe_time,
        consent_contact=d.consent_contact,
        consent_share=d.consent_share,
        codename_hash=codename_hash,
        idempotency_key=_idempotency_index(key) if key else None,
        request_fingerprint=fingerprint,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    seen: set[tuple[str, str]] = set()
    for kind, value in clean.identifiers:
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        ReportIdentifier.objects.create(report=report, kind=kind, value=value, value_index=identifier_index(kind, value))
    for item in evidence:
        _evidence_row(report, item, now)
    audit_log(
        actor=created_by if getattr(created_by, "is_authenticated", False) else None,
        action="create",
        object_type="report",
        object_id=report.pk,
        detail={"channel": channel, "emergency": report.is_emergency, "evidence": len(evidence),
                "identifiers": len(seen)},
    )
    publish(Event.REPORT_RECEIVED, report=report)  # cases: the first-contact clock starts
    publish(Event.COUNTED_DATA_CHANGED)
    return report


def _evidence_row(report: Report, item: StoredEvidence, at: dt.datetime, source: str = "") -> Evidence:
    PendingUpload.objects.filter(storage_name=item.storage_name).delete()
    return Evidence.objects.create(
        report=report,
        source=source or report.channel,
        storage_name=item.storage_name,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_at=at,
    )


def report_evidence_add(
    *, report: Report, evidence: StoredEvidence, actor: Any = None, source: str = Evidence.Source.FOLLOWUP
) -> Evidence:
    """Attach a file (already checked and sealed by ``intake.evidence.evidence_prepare``) to a report
    after it was received (by default: sent later by the reporter through the codename thread)."""
    with transaction.atomic():
        row = _evidence_row(report, evidence, timezone.now(), source)
        audit_log(actor=actor, action="create", object_type="evidence", object_id=row.pk,
                  detail={"report": report.pk, "content_type": evidence.content_type})
    return row


def report_message_add(*, report: Report, sender: str, body: str, staff_user: Any = None) -> ReportMessage:
    """Add a message to the codename thread. Staff replies pass ``sender="staff"`` and ``staff_user``."""
    if sender not in ReportMessage.Sender.values:
        raise ValueError(f"unknown sender {sender!r}")
    text = (body or "").strip()
    if not text:
        raise ReportInvalid({"body": [_("Tulis pesan Anda.")]})
    if len(text) > MESSAGE_MAX:
        raise ReportInvalid({"body": [_("Pesan terlalu panjang (maksimal 5.000 karakter).")]})
    if sender == ReportMessage.Sender.STAFF and not getattr(staff_user, "is_authenticated", False):
        raise ValueError("a staff message needs the staff user")
    with transaction.atomic():
        message = ReportMessage.objects.create(
            report=report,
            sender=sender,
            staff_user=staff_user if sender == ReportMessage.Sender.STAFF else None,
            body=text,
            created_at=timezone.now(),
        )
        audit_log(
            actor=staff_user if sender == ReportMessage.Sender.STAFF else None,
            action="create",
            object_type="report_message",
            object_id=message.pk,
            detail={"report": report.pk, "sender": sender},
        )
    return message


def evidence_pending_add(*, evidence: StoredEvidence) -> None:
    """Remember a file sealed for a draft, so that it is purged if the draft is never sent."""
    PendingUpload.objects.get_or_create(storage_name=evidence.storage_name, defaults={"created_at": timezone.now(), "size": evidence.size})


def evidence_pending_remove(*, storage_name: str) -> bool:
    """Drop a file from a draft: only files still pending can be deleted this way."""
    deleted, _rows = PendingUpload.objects.filter(storage_name=storage_name).delete()
    if deleted:
        delete_sealed_file(storage_name)
    return bool(deleted)


def evidence_pending_purge(*, older_than: dt.timedelta) -> int:
    """Delete files of drafts abandoned for longer than ``older_than``; returns how many."""
    cutoff = timezone.now() - older_than
    count = 0
    for pending in PendingUpload.objects.filter(created_at__lt=cutoff).order_by("pk"):
        if not Evidence.objects.filter(storage_name=pending.storage_name).exists():
            delete_sealed_file(pending.storage_name)
        pending.delete()
        count += 1
    return count
