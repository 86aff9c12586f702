"""Queue actions on reports taken by staff (triage, not violence, refer out, reply).

The report writes are intake's (``intake.services``); what is added here is the case-side
follow-up (deadline clocks, first contact) and the staff pages' error type, ``CaseError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from salingsapa.cases.services import (
    CaseError,
    NotPermitted,
    _require_casework,
    deadlines_reschedule,
    first_contact_record,
)
from salingsapa.intake import services as intake
from salingsapa.intake.models import Report, ReportMessage

T = TypeVar("T")


@contextmanager
def _as_case_error() -> Iterator[None]:
    """Intake's refusals, as the staff pages show them."""
    try:
        yield
    except intake.ReportRefused as exc:
        if exc.permission:
            raise NotPermitted(exc.message) from None
        raise CaseError(exc.message, field=exc.field) from None


def _call(write: Callable[..., T], **kwargs: Any) -> T:
    with _as_case_error():
        return write(**kwargs)


def report_triage(*, actor: Any, report: Report, risk_level: str, is_emergency: bool) -> None:
    with transaction.atomic():
        _call(intake.report_triage_record, actor=actor, report=report, risk_level=risk_level,
              is_emergency=is_emergency)
        deadlines_reschedule(risk_level=risk_level, emergency=is_emergency or report.in_danger_now, report=report)


def report_mark_not_violence(*, actor: Any, report: Report, reason: str) -> None:
    """Not a violence report: kept (never deleted) with its reason."""
    _call(intake.report_mark_not_violence, actor=actor, report=report, reason=reason)


def report_refer_out(*, actor: Any, report: Report, destination: str, reason: str) -> None:
    """Outside our jurisdiction: record where it was referred and why."""
    _call(intake.report_refer_out, actor=actor, report=report, destination=destination, reason=reason)


def report_reply(*, actor: Any, report: Report, body: str) -> ReportMessage:
    """A message to the reporter in the codename thread; it also counts as first contact."""
    _require_casework(actor)
    if not body.strip():
        raise CaseError(_("Pesan tidak boleh kosong."), field="body")
    if len(body) > 4000:
        raise CaseError(_("Pesan terlalu panjang (maks. 4000 karakter)."), field="body")
    with transaction.atomic():
        try:
            message = intake.report_message_add(report=report, sender=ReportMessage.Sender.STAFF, body=body,
                                                staff_user=actor)
        except intake.ReportInvalid as exc:
            raise CaseError(exc.field_errors[0].message, field="body") from None
        first_contact_record(actor=actor, report=report)
    return message


def report_messages_mark_read(*, actor: Any, report: Report) -> int:
    """The reporter's messages on a report page that staff opened count as read."""
    return _call(intake.report_messages_mark_read, actor=actor, report=report)
