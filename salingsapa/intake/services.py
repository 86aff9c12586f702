"""Writes for reports. Every channel (web form, API, WhatsApp, staff intake) calls ``report_create``.

``report_create`` validates with the one schema (``intake.schema``) for every channel, then writes the report, its
perpetrator identifiers and evidence in one atomic transaction. A retry with the same idempotency
key answers with the same reference and codename and creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from salingsapa.core import crypto
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.core.files import delete_sealed_file
from salingsapa.core.identifiers import identifier_index
from salingsapa.core.textinput import has_forbidden_characters, is_blank
from salingsapa.intake import ratelimit
from salingsapa.intake.codenames import Receipt, codename_for_key, codename_new, reference_new
from salingsapa.intake.evidence import StoredEvidence
from salingsapa.intake.models import Channel, Evidence, PendingUpload, Report, ReportIdentifier, ReportMessage
from salingsapa.intake.schema import (
    FieldError,
    ReportInput,
    ReportInvalid,
    field_error,
    report_input,
)
from salingsapa.intake.selectors import report_for_codename

__all__ = ["FieldError", "IdempotencyConflict", "ReportInput", "ReportInvalid", "ReportReceipt", "report_create"]
from salingsapa.notify.services import notify_on_duty, reporter_notice_queue

logger = logging.getLogger(__name__)
T = TypeVar("T")

MESSAGE_MAX = 5_000
REFERENCE_ATTEMPTS = 3
EMERGENCY_FORMS = {"seksual"}


class IdempotencyConflict(ValueError):
    """The idempotency key was already used for a different submission."""


class ReportReceipt(Receipt[Report]):
    @property
    def report(self) -> Report:
        return self.record


def report_is_emergency(data: ReportInput) -> bool:
    """Danger now, or a child and sexual violence (a UU TPKS form counts too)."""
    return bool(data.in_danger_now) or (
        data.victim.child and (bool(EMERGENCY_FORMS & set(data.violence_forms)) or bool(data.tpks_forms))
    )


def _fingerprint(data: ReportInput, evidence: Sequence[StoredEvidence]) -> str:
    """Keyed hash of the validated submission, over the same flat layout as before the schema was
    nested (so a retry of a report sent before the change still replays instead of conflicting)."""
    contact, consent = data.contact_or_blank, data.consent_or_blank
    body: dict[str, Any] = {
        "reporter_role": data.reporter_role, "in_danger_now": data.in_danger_now, "narrative": data.narrative,
        "violence_forms": data.violence_forms, "victim_sex": data.victim.sex,
        "victim_age_group": data.victim.age_group, "kelurahan_code": data.kelurahan_code,
        "victim_is_child": data.victim.is_child, "tpks_forms": data.tpks_forms,
        "incident_date": data.incident_date, "place": data.place, "relationship": data.relationship,
        "met_via": data.met_via, "met_via_platform": data.met_via_platform,
        "perpetrator_identifiers": [{"kind": i.kind, "value": i.value} for i in data.perpetrator_identifiers],
        "contact_name": contact.name, "contact_phone": contact.phone,
        "preferred_channel": contact.preferred_channel or "", "safe_time": contact.safe_time,
        "consent_contact": consent.contact_me, "consent_share": consent.share_with_partners,
    }
    if contact.email:  # fingerprints of submissions made before the field existed stay the same
        body["contact_email"] = contact.email
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
    return ReportReceipt(existing, codename_for_key(key), created=False)


def report_create(
    *,
    data: ReportInput | Mapping[str, Any],
    channel: str,
    idempotency_key: str | None = None,
    evidence: Sequence[StoredEvidence] = (),
    created_by: Any = None,
    received_at: dt.datetime | None = None,
) -> ReportReceipt:
    """Validate (``intake.schema.report_input``) and store one report atomically.

    ``data`` is a plain dict in the API's shape or an already validated ``ReportInput``; bad
    input raises ``ReportInvalid`` with (field, code, message) errors.

    Emergencies (danger now; a child and sexual violence) alert the on-duty officers once the
    transaction has committed.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    key = (idempotency_key or "").strip()[:200] or None
    clean = report_input(data)
    fingerprint = _fingerprint(clean, evidence)
    codename = codename_for_key(key) if key else codename_new()
    codename_hash = crypto.hash_codename(codename)  # slow by design: outside the transaction
    # No look-up of the key or the reference before the insert (two queries per report): the unique
    # indexes on both decide. A retry (the key already stored) pays the hash once more and then answers
    # with the stored report; a new reference that collides with a stored one (one in 32^8 per pair)
    # is drawn again.
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                report = _insert(clean, channel, key, fingerprint, codename_hash, evidence, created_by, received_at)
            break
        except IntegrityError:
            if key:
                replay = _replay(key, fingerprint)
                if replay is not None:
                    return replay
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    if report.is_emergency:
        reference = report.reference
        transaction.on_commit(lambda: _alert(reference), robust=True)
    return ReportReceipt(report, codename, created=True)


def _alert(reference: str) -> None:
    notify_on_duty(reference=reference)


def _insert(
    clean: ReportInput,
    channel: str,
    key: str | None,
    fingerprint: str,
    codename_hash: str,
    evidence: Sequence[StoredEvidence],
    created_by: Any,
    received_at: dt.datetime | None,
) -> Report:
    d = clean
    contact, consent = d.contact_or_blank, d.consent_or_blank
    phone = contact.phone_e164
    identifiers = [i.normalised() for i in d.perpetrator_identifiers]
    now = received_at or timezone.now()
    report = Report.objects.create(
        reference=reference_new(),
        channel=channel,
        received_at=now,
        is_emergency=report_is_emergency(d),
        reporter_role=d.reporter_role,
        in_danger_now=bool(d.in_danger_now),
        narrative=d.narrative,
        violence_forms=d.violence_forms,
        tpks_forms=d.tpks_forms,
        victim_sex=d.victim.sex,
        victim_age_group=d.victim.age_group,
        victim_is_child=d.victim.child,
        kelurahan_id=d.kelurahan_code or None,  # validated by the schema as a kelurahan of the home region
        incident_date=d.incident_date,
        place=d.place,
        relationship=d.relationship,
        met_via=d.met_via,
        met_via_platform=d.met_via_platform,
        contact_name=contact.name,
        contact_phone=phone,
        contact_email=contact.email,
        contact_phone_index=identifier_index("phone", phone) if phone else "",
        preferred_channel=contact.preferred_channel or "",
        safe_time=contact.safe_time,
        consent_contact=consent.contact_me,
        consent_share=consent.share_with_partners,
        codename_hash=codename_hash,
        idempotency_key=_idempotency_index(key) if key else None,
        request_fingerprint=fingerprint,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    seen: set[tuple[str, str]] = set()
    for kind, value in identifiers:
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        ReportIdentifier.objects.create(report=report, kind=kind, value=value, value_index=identifier_index(kind, value))
    for item in evidence:
        _evidence_row(report, item, now)
    publish(Event.REPORT_RECEIVED, report=report)  # cases: the first-contact clock starts
    publish(Event.COUNTED_DATA_CHANGED, report_ids=[report.pk])
    # Last: the audit entry locks the log's head row until COMMIT, and every write of every process
    # queues on that lock; written last, it is held for three statements and the commit only.
    audit_log(
        actor=created_by if getattr(created_by, "is_authenticated", False) else None,
        action="create",
        object_type="report",
        object_id=report.pk,
        detail={"channel": channel, "emergency": report.is_emergency, "evidence": len(evidence),
                "identifiers": len(seen)},
    )
    return report


def _evidence_row(report: Report, item: StoredEvidence, at: dt.datetime, source: str = "") -> Evidence:
    PendingUpload.objects.filter(storage_name=item.storage_name).delete()
    # The stored file's fields (``as_dict``, also what a draft keeps in the session) are the row's own.
    return Evidence.objects.create(report=report, source=source or report.channel, uploaded_at=at, **item.as_dict())


def report_evidence_add(
    *, report: Report, evidence: StoredEvidence, actor: Any = None, source: str = Evidence.FOLLOWUP
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
    if has_forbidden_characters(body or ""):
        raise ReportInvalid([field_error("body", "invalid_characters")])
    text = (body or "").strip()
    if is_blank(text):
        raise ReportInvalid([field_error("body", "required", N_("Tulis pesan Anda."))])
    if len(text) > MESSAGE_MAX:
        raise ReportInvalid([field_error("body", "too_long", N_("Pesan terlalu panjang (maksimal 5.000 karakter)."))])
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
        if sender == ReportMessage.Sender.STAFF:  # the reporter hears "a new message", never its text
            reporter_notice_queue(report=report)
    return message


class CodenameAttemptsExceeded(Exception):
    """Too many codename attempts from this client (or on this reference) in the window."""


def codename_attempts_blocked(*, client: str) -> bool:
    """The client already used up its codename attempts (counts nothing)."""
    return ratelimit.blocked(client, purpose="codename", limit=settings.CODENAME_RATE_LIMIT,
                             window=settings.CODENAME_RATE_WINDOW)


def codename_attempt(*, client: str, reference: str, check: Callable[[], T | None]) -> T | None:
    """One reference + codename check under the codename rate limits; what ``check`` found, or None.

    ``client`` is the subject the attempts are counted for (the web: the client address; WhatsApp:
    the sender's number, prefixed); reports and bookings (``outreach``) count together. An attempt is
    reserved atomically before the (slow) check, so parallel guesses cannot all pass the limit; a
    correct codename gives its attempts back. Raises ``CodenameAttemptsExceeded`` when the client, or
    the reference, has no attempts left."""
    limit, window = settings.CODENAME_RATE_LIMIT, settings.CODENAME_RATE_WINDOW
    ref = reference.strip().upper()
    if ratelimit.hit(client, purpose="codename", limit=limit, window=window):
        raise CodenameAttemptsExceeded
    if ratelimit.hit(ref, purpose="codename-ref", limit=limit * 2, window=window):
        ratelimit.release(client, purpose="codename", window=window)
        raise CodenameAttemptsExceeded
    found = check()
    if found is None:
        return None
    ratelimit.release(client, purpose="codename", window=window)
    ratelimit.release(ref, purpose="codename-ref", window=window)
    return found


def report_codename_login(*, client: str, reference: str, codename: str) -> Report | None:
    """The report for a reference and codename (``codename_attempt``'s limits), or None when wrong."""
    return codename_attempt(client=client, reference=reference,
                            check=lambda: report_for_codename(reference=reference, codename=codename))


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


# --- staff actions on a report (every write of a Report row lives here) ----------------------------


class ReportRefused(Exception):
    """A refused report action; ``message`` is shown to the user, ``field`` names the form field if any,
    ``permission`` is True when the actor may not act at all."""

    def __init__(self, message: str, *, field: str | None = None, permission: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.permission = permission


OPEN_STATUSES = (Report.Status.NEW, Report.Status.IN_REVIEW)
RISK_LEVELS = frozenset({"", "high", "medium", "low"})


def _require_casework(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_lead_agency_staff:
        raise ReportRefused(gettext("Anda tidak berwenang melakukan tindakan ini."), permission=True)


def report_triage_record(*, actor: Any, report: Report, risk_level: str, is_emergency: bool) -> None:
    """Record the officer's risk level and urgency; a new report moves to "in review".

    The caller re-plans the deadlines (``cases.services.deadlines_reschedule``) in the same transaction."""
    _require_casework(actor)
    if risk_level not in RISK_LEVELS:
        raise ReportRefused(gettext("Pilih tingkat risiko."), field="risk_level")
    status = Report.Status.IN_REVIEW if report.status == Report.Status.NEW else report.status
    Report.objects.filter(pk=report.pk).update(risk_level=risk_level, is_emergency=is_emergency, status=status)
    report.risk_level, report.is_emergency, report.status = risk_level, is_emergency, status
    audit_log(actor=actor, action="update", object_type="report", object_id=report.pk,
              detail={"event": "triage", "risk": risk_level, "emergency": is_emergency})
    publish(Event.COUNTED_DATA_CHANGED, report_ids=[report.pk])


def _report_close(*, actor: Any, report: Report, status: str, reason: str, event: str) -> None:
    _require_casework(actor)
    if not reason.strip():
        raise ReportRefused(gettext("Tuliskan alasannya."), field="reason")
    with transaction.atomic():
        if not Report.objects.filter(pk=report.pk, status__in=OPEN_STATUSES, case__isnull=True).update(status=status):
            raise ReportRefused(gettext("Pengaduan ini sudah ditindaklanjuti."))
        report.status = status
        report.status_reason = reason.strip()
        report.save(update_fields=["status_reason"])
        audit_log(actor=actor, action="update", object_type="report", object_id=report.pk, detail={"event": event})
        publish(Event.COUNTED_DATA_CHANGED, report_ids=[report.pk])


def report_mark_not_violence(*, actor: Any, report: Report, reason: str) -> None:
    """Not a violence report: kept (never deleted) with its reason."""
    _report_close(actor=actor, report=report, status=Report.Status.NOT_VIOLENCE, reason=reason, event="not_violence")


def report_refer_out(*, actor: Any, report: Report, destination: str, reason: str) -> None:
    """Outside our jurisdiction: record where it was referred and why."""
    if not destination.strip():
        raise ReportRefused(gettext("Tuliskan instansi tujuan rujukan."), field="destination")
    _report_close(actor=actor, report=report, status=Report.Status.REFERRED_OUT,
                  reason=f"Dirujuk ke: {destination.strip()}" + (f"\n{reason.strip()}" if reason.strip() else ""),
                  event="referred_out")


def report_case_link(*, report: Report, case_id: int, status: str) -> bool:
    """Link an open report to a case (``case_opened`` or ``attached``); False when it was already handled.

    Called by ``cases.services.case_open`` / ``report_attach`` inside their transaction."""
    if status not in {Report.Status.CASE_OPENED, Report.Status.ATTACHED}:
        raise ValueError(f"not a case status: {status!r}")
    updated = Report.objects.filter(pk=report.pk, case__isnull=True, status__in=OPEN_STATUSES).update(
        status=status, case_id=case_id)
    if updated:
        report.status, report.case_id = status, case_id
    return bool(updated)


def report_messages_mark_read(*, actor: Any, report: Report) -> int:
    """The reporter's messages on a report page that staff opened count as read."""
    _require_casework(actor)
    return ReportMessage.objects.filter(
        report=report, sender=ReportMessage.Sender.REPORTER, read_by_staff_at__isnull=True
    ).update(read_by_staff_at=timezone.now())
