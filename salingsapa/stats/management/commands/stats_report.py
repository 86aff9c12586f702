from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from salingsapa.core.audit import audit_log
from salingsapa.core.dbrouter import replica_reads
from salingsapa.stats.reports import parse_period, render_report_pdf, report_filename


class Command(BaseCommand):
    help = "Laporan PDF bulanan (--month 2025-10) atau tahunan (--year 2025) dalam Bahasa Indonesia."

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--month", help="bulan, mis. 2025-10")
        group.add_argument("--year", help="tahun, mis. 2025")
        parser.add_argument("--output", "-o", help="berkas PDF tujuan (bawaan: laporan-…pdf di folder ini)")
        parser.add_argument("--organisation", type=int, default=None, help="id organisasi (bawaan: semua kasus)")

    @replica_reads
    def handle(self, *args: Any, **options: Any) -> None:
        value = options["month"] or options["year"]
        try:
            kind, flt = parse_period(value)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if (options["month"] and kind != "monthly") or (options["year"] and kind != "annual"):
            raise CommandError("Periode harus berbentuk tahun (2025) atau bulan (2025-10).")
        pdf = render_report_pdf(kind, flt, organisation_id=options["organisation"])
        out = Path(options["output"] or report_filename(kind, flt))
        out.write_bytes(pdf)
        audit_log(actor="system:stats-report", action="export", object_type="stats.report",
                  detail={"kind": kind, "period": value})
        self.stdout.write(self.style.SUCCESS(f"{out} ({len(pdf)} byte)"))
