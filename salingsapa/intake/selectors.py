"""Reads for reports: the one intake queue, and what the public follow-up and the channels need.

Staff views fetch one report through ``intake.access.access_report``; ``intake_queue`` lists the
reports waiting for intake that a user may see (scoped by ``intake.access.reports_for``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from salingsapa.core import crypto
from salingsapa.core.audit import audit_log
from salingsapa.core.filtering import filter_given, place_lookups
from salingsapa.core.identifiers import identifier_lookup_index
from salingsapa.intake.access import reports_for
from salingsapa.intake.codenames import normalise_codename, normalise_reference
from salingsapa.intake.models import Report, ReportMessage

OPEN_REPORT_STATUSES = (Report.Status.NEW, Report.Status.IN_REVIEW)

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


RISK_ORDER = When_(
    When(is_emergency=True, then=Value(0)),
    When(in_danger_now=True, then=Value(0)),
    When(risk_level="high", then=Value(1)),
    When(risk_level="medium", then=Value(2)),
    When(risk_level="low", then=Value(3)),
    default=Value(2),  # not yet triaged: between medium and low, like the SLA default
    output_field=IntegerField(),
)


def intake_queue(
    *, user: Any, channel: str = "", risk: str = "", kelurahan: str = "", kecamatan: str = "",
    violence_form: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None,
    identifier_kind: str = "", identifier: str = "", statuses: tuple[str, ...] = OPEN_REPORT_STATUSES,
) -> QuerySet[Report]:
    """Open reports: emergencies and high risk first, then the oldest."""
    qs = reports_for(user).filter(status__in=statuses).select_related("kelurahan")
    qs = filter_given(
        qs,
        channel=channel,
        risk_level=risk,
        **place_lookups(kelurahan=kelurahan, kecamatan=kecamatan),
        received_at__date__gte=date_from,
        received_at__date__lte=date_to,
    )
    if violence_form:
        qs = qs.filter(violence_forms__contains=[violence_form]) if _json_contains_supported() else qs.filter(
            violence_forms__icontains=f'"{violence_form}"')
    if identifier and identifier_kind in {"phone", "nik"}:
        index = identifier_lookup_index(identifier_kind, identifier)
        qs = qs.filter(Q(contact_phone_index=index) | Q(identifiers__value_index=index)).distinct()
    return qs.annotate(urgency=RISK_ORDER).order_by("urgency", "received_at", "id")


def _json_contains_supported() -> bool:
    return connection.vendor == "postgresql"

