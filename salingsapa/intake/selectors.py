"""Reads for reports that the public follow-up and the channels need.

Staff views fetch reports through ``intake.access.access_report``; the functions here serve the
person who reported (by reference and codename) and the channels.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from salingsapa.core import crypto
from salingsapa.core.audit import audit_log
from salingsapa.intake.access import reports_for
from salingsapa.intake.codenames import normalise_codename, normalise_reference
from salingsapa.intake.models import Report, ReportMessage

# What the person who reported sees of the internal status: plain words, no internal reasons.
PUBLIC_STATUS = {
    Report.Status.NEW: _("Diterima. Petugas akan segera menelaah laporan Anda."),
    Report.Status.IN_REVIEW: _("Sedang ditelaah oleh petugas."),
    Report.Status.CASE_OPENED: _("Sedang ditangani oleh UPTD PPA."),
    Report.Status.ATTACHED: _("Sedang ditangani bersama laporan lain tentang kejadian yang sama."),
    Report.Status.NOT_VIOLENCE: _("Sudah ditelaah. Petugas akan menjelaskan tindak lanjutnya di pesan."),
    Report.Status.REFERRED_OUT: _("Diteruskan ke layanan di wilayah yang berwenang."),
}


def report_for_codename(*, reference: str, codename: str) -> Report | None:
    """The report whose reference and codename match, else None (one Argon2 verification)."""
    ref = normalise_reference(reference)
    words = normalise_codename(codename)
    if not ref or not words:
        return None
    report = Report.objects.filter(reference=ref).only("pk", "reference", "codename_hash").first()
    if report is None or not report.codename_hash:
        crypto.verify_codename(_dummy_hash(), words)  # same cost whether or not the reference exists
        return None
    if not crypto.verify_codename(report.codename_hash, words):
        audit_log(actor=None, action="denied", object_type="report", object_id=report.pk,
                  detail={"purpose": "codename-followup"})
        return None
    audit_log(actor=None, action="read", object_type="report", object_id=report.pk,
              detail={"purpose": "codename-followup"})
    return Report.objects.get(pk=report.pk)


_dummy: list[str] = []


def _dummy_hash() -> str:  # noqa: N802
    if not _dummy:
        _dummy.append(crypto.hash_codename("tidak ada laporan dengan nomor ini"))
    return _dummy[0]


def report_public_status(report: Report) -> str:
    return str(PUBLIC_STATUS.get(Report.Status(report.status), PUBLIC_STATUS[Report.Status.NEW]))


def report_thread(report: Report) -> QuerySet[Any]:
    return ReportMessage.objects.filter(report=report).order_by("created_at", "pk")


def report_queue(user: Any) -> QuerySet[Any]:
    """Reports waiting for intake, emergencies first, then oldest first (for the staff intake queue)."""
    return reports_for(user).filter(
        status__in=[Report.Status.NEW, Report.Status.IN_REVIEW]
    ).order_by("-is_emergency", "received_at", "pk")
