"""The service figures (``service_stats``) as the tables the dashboard and the PDF report show.

One shape for every table of ``stats/_services.html`` — a heading, a caption, column headers, rows
whose first cell labels the row — so the template draws them all with one loop and the scrolling,
sticky-first-column markup is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

NONE = "—"


@dataclass
class ServiceTable:
    key: str  # the heading's id, also the dashboard's anchor ("sla-h", "ref-h")
    title: Any
    caption: Any
    headers: list[Any]
    rows: list[tuple[str, list[Any]]]
    empty: Any
    after: list[ServiceTable] = field(default_factory=list)  # further tables in the same section


def _pct(value: float | None) -> str:
    """A share in the reader's number format (66,7% in Bahasa Indonesia); read while the page renders."""
    return f"{number_format(value)}%" if value is not None else NONE


def service_tables(sv: Any) -> list[ServiceTable]:
    deadlines = ServiceTable(
        "sla-h", _("Kepatuhan tenggat dan waktu kontak pertama"), _("Tenggat yang mulai berjalan dalam periode"),
        [_("Tenggat"), _("Jumlah"), _("Tepat waktu"), _("Terlambat"), _("Lewat batas, belum dipenuhi"),
         _("Masih berjalan"), _("Kepatuhan"), _("Rata-rata jam sampai dipenuhi")],
        [(d.label, [d.total, d.on_time, d.late, d.overdue_open, d.pending, _pct(d.compliance_pct),
                    NONE if d.avg_hours_to_met is None else d.avg_hours_to_met]) for d in sv.deadlines],
        _("Tidak ada tenggat pada periode ini."),
    )
    referrals = ServiceTable(
        "ref-h", _("Rujukan dan hasilnya"), _("Rujukan yang dibuat dalam periode, menurut layanan"),
        [_("Layanan"), _("Rujukan"), _("Diterima"), _("Ditolak"), _("Selesai"), _("Masih berjalan"),
         _("Ditanggapi tepat waktu"), _("Ditanggapi terlambat")],
        [(r.label, [r.total, r.accepted, r.declined, r.completed, r.active, r.responded_on_time, r.responded_late])
         for r in sv.referrals],
        _("Tidak ada rujukan pada periode ini."),
    )
    if sv.deliveries:
        referrals.after.append(ServiceTable(
            "delivery", "", _("Layanan yang diberikan mitra dalam periode"), [_("Jenis layanan"), _("Jumlah")],
            [(kind[:1].upper() + kind[1:], [n]) for kind, n in sv.deliveries], "",
        ))
    return [deadlines, referrals]
