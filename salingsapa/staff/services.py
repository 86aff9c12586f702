"""Queue actions on reports taken by staff (triage, not violence, refer out, reply)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salingsapa.cases.services import CaseError, _require_casework, deadlines_reschedule, first_contact_record
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.intake.models import Report, ReportMessage
from salingsapa.intake.services import report_message_add

OPEN = (Report.Status.NEW, Report.Status.IN_REVIEW)


def report_triage(*, actor: Any, report: Report, risk_level: str, is_emergency: bool) -> None:
    _require_casework(actor)
    if risk_level not in {"", "high", "medium", "low"}:
        raise CaseError(_("Pilih tingkat risiko."), field="risk_level")
    with transaction.atomic():
        status = Report.Status.IN_REVIEW if report.status == Report.Status.NEW else report.status
        Report.objects.filter(pk=report.pk).update(risk_level=risk_level, is_emergency=is_emergency, status=status)
        report.risk_level, report.is_emergency, report.status = risk_level, is_emergency, status
        deadlines_reschedule(risk_level=risk_level, emergency=is_emergency or report.in_danger_now, report=report)
        audit_log(actor=actor, action="update", object_type="report", object_id=report.pk,
                  detail={"event": "triage", "risk": risk_level, "emergency": is_emergency})
        publish(Event.COUNTED_DATA_CHANGED)


def _close_report(*, actor: Any, report: Report, status: str, reason: str, event: str) -> None:
    _require_casework(actor)
    if not reason.strip():
        raise CaseError(_("Tuliskan alasannya."), field="reason")
    with transaction.atomic():
        if not Report.objects.filter(pk=report.pk, status__in=OPEN, case__isnull=True).update(status=status):
            raise CaseError(_("Pengaduan ini sudah ditindaklanjuti."))
        report.status = status
        report.status_reason = reason.strip()
        report.save(update_fields=["status_reason"])
        audit_log(actor=actor, action="update", object_type="report", object_id=report.pk, detail={"event": event})
        publish(Event.COUNTED_DATA_CHANGED)


def report_mark_not_violence(*, actor: Any, report: Report, reason: str) -> None:
    """Not a violence report: kept (never deleted) with its reason."""
    _close_report(actor=actor, report=report, status=Report.Status.NOT_VIOLENCE, reason=reason, event="not_violence")


def report_refer_out(*, actor: Any, report: Report, destination: str, reason: str) -> None:
    """Outside our jurisdiction: record where it was referred and why."""
    if not destination.strip():
        raise CaseError(_("Tuliskan instansi tujuan rujukan."), field="destination")
    _close_report(actor=actor, report=report, status=Report.Status.REFERRED_OUT,
                  reason=f"Dirujuk ke: {destination.strip()}" + (f"\n{reason.strip()}" if reason.strip() else ""),
                  event="referred_out")


def report_reply(*, actor: Any, report: Report, body: str) -> ReportMessage:
    """A message to the reporter in the codename thread; it also counts as first contact."""
    _require_casework(actor)
    if not body.strip():
        raise CaseError(_("Pesan tidak boleh kosong."), field="body")
    if len(body) > 4000:
        raise CaseError(_("Pesan terlalu panjang (maks. 4000 karakter)."), field="body")

    with transaction.atomic():
        message = report_message_add(report=report, sender=ReportMessage.Sender.STAFF, body=body, staff_user=actor)
        first_contact_record(actor=actor, report=report)
    return message


def report_messages_mark_read(*, actor: Any, report: Report) -> int:
    """The reporter's messages on a report page that staff opened count as read."""
    _require_casework(actor)
    return ReportMessage.objects.filter(
        report=report, sender=ReportMessage.Sender.REPORTER, read_by_staff_at__isnull=True
    ).update(read_by_staff_at=timezone.now())
