"""Writes for field sessions: ``field_session_record`` is the one way a session is stored.

It is idempotent on the id the device gave the entry (``client_id``): the first call stores the
session (and, for a disclosure, the report through intake's one schema and ``report_create``, with
``fieldwork:<client_id>`` as the report's idempotency key); every later call with the same id
answers with the same session and creates nothing. Two calls racing with the same id end the same
way: the unique constraint on ``FieldSession.client_id`` (and on the report's idempotency key) lets
one insert win, the other reads the winner's row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from salingsapa.accounts.users import StaffUser
from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.fieldwork.models import FieldSession
from salingsapa.fieldwork.selectors import may_record
from salingsapa.intake.models import Channel
from salingsapa.intake.schema import FieldError, ReportInvalid, field_error, report_input
from salingsapa.intake.services import IdempotencyConflict, report_create
from salingsapa.outreach.models import Visit

__all__ = ["SessionInvalid", "SessionRefused", "SessionResult", "field_session_record"]

# A device clock may run fast or slow; an entry cannot be dated after it reached the server, and an
# entry older than this is dated when it arrived (a device with a wrong date must not skew the months).
MAX_OFFLINE_AGE = dt.timedelta(days=60)


class SessionInvalid(ValueError):
    """Bad input: ``field_errors`` as intake's schema gives them (field path, stable code, message)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("field session is invalid")
        self.field_errors = errors


class SessionRefused(Exception):
    """The actor may not record on this visit, or the id is already used for another visit or person."""

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


@dataclass
class SessionResult:
    session: FieldSession
    created: bool
    codename: str = ""  # a disclosure's codename, only when it was created by this call (shown once)


def report_key(client_id: uuid.UUID) -> str:
    """The report's idempotency key for a disclosure entry (intake's own replay then holds too)."""
    return f"fieldwork:{client_id}"


def _client_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise SessionInvalid([field_error("id", "invalid", N_("Nomor catatan perangkat tidak valid."))]) from None


def _when(recorded_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if recorded_at is None or timezone.is_naive(recorded_at):
        return now
    if recorded_at > now or now - recorded_at > MAX_OFFLINE_AGE:
        return now
    return recorded_at


def _check_counts(*, sex: str, age_group: str, topic: str) -> list[FieldError]:
    errors = []
    if sex not in codelists.slugs("sex"):
        errors.append(field_error("sex", "required" if not sex else "invalid_choice", N_("Pilih jenis kelamin.")))
    if age_group not in codelists.slugs("age_group"):
        errors.append(field_error("age_group", "required" if not age_group else "invalid_choice",
                                  N_("Pilih kelompok umur.")))
    if topic not in codelists.slugs("counselling_topic"):
        errors.append(field_error("topic", "required" if not topic else "invalid_choice", N_("Pilih topik konsultasi.")))
    return errors


def _replay(existing: FieldSession, *, actor: StaffUser, visit: Visit) -> SessionResult:
    if existing.recorded_by_id != actor.pk or existing.visit_id != visit.pk:
        raise SessionRefused(gettext("Nomor catatan ini sudah dipakai untuk catatan lain."), conflict=True)
    return SessionResult(session=existing, created=False)


def field_session_record(
    *,
    actor: StaffUser,
    visit: Visit,
    client_id: uuid.UUID | str,
    kind: str,
    sex: str = "",
    age_group: str = "",
    topic: str = "",
    report: Mapping[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
) -> SessionResult:
    """Store one session of ``visit`` recorded by ``actor`` (idempotent on ``client_id``).

    ``kind="consultation"`` needs ``sex``, ``age_group`` and ``topic`` (code lists ``sex``,
    ``age_group``, ``counselling_topic``). ``kind="disclosure"`` needs ``report``: a plain dict in the
    shape of ``intake.schema.ReportInput`` (its errors come back with their own paths, ``report.…``
    not prefixed: the caller maps them); sex and age group are the victim's.
    Raises ``SessionInvalid`` (bad input) or ``SessionRefused`` (not allowed; id used elsewhere).
    """
    key = _client_uuid(client_id)
    if not may_record(actor, visit):
        raise SessionRefused(gettext("Anda tidak tercatat dalam tim kunjungan ini."))
    existing = FieldSession.objects.filter(client_id=key).first()
    if existing is not None:
        return _replay(existing, actor=actor, visit=visit)
    if kind not in FieldSession.Kind.values:
        raise SessionInvalid([field_error("kind", "invalid_choice", N_("Pilih jenis sesi."))])
    if kind == FieldSession.Kind.CONSULTATION:
        errors = _check_counts(sex=sex, age_group=age_group, topic=topic)
        if errors:
            raise SessionInvalid(errors)
    else:
        try:
            clean = report_input(report or {})
        except ReportInvalid as exc:
            raise SessionInvalid(exc.field_errors) from None
        sex, age_group, topic = clean.victim.sex, clean.victim.age_group, ""
    now = timezone.now()
    codename = ""
    try:
        with transaction.atomic():
            report_row = None
            if kind == FieldSession.Kind.DISCLOSURE:
                receipt = report_create(data=clean, channel=Channel.OUTREACH, idempotency_key=report_key(key),
                                        created_by=actor, received_at=now)
                report_row = receipt.report
                codename = receipt.codename if receipt.created else ""
            session = FieldSession.objects.create(
                client_id=key, visit=visit, kind=kind, sex=sex, age_group=age_group, topic=topic,
                kelurahan_id=visit.kelurahan_id, report=report_row, recorded_by=actor,
                recorded_at=_when(recorded_at, now), synced_at=now,
            )
            audit_log(actor=actor, action="create", object_type="field_session", object_id=session.pk,
                      detail={"visit": visit.pk, "kind": kind, "report": report_row.pk if report_row else None})
            publish(Event.COUNTED_DATA_CHANGED)
    except (IntegrityError, IdempotencyConflict):
        # Another request with the same id won the race (or stored the report first): answer with its row.
        existing = FieldSession.objects.filter(client_id=key).first()
        if existing is None:
            raise
        return _replay(existing, actor=actor, visit=visit)
    return SessionResult(session=session, created=True, codename=codename)
