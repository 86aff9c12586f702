"""Monthly and annual PDF reports (Bahasa Indonesia) for the head of office and the mayor.

Rendered with WeasyPrint from ``stats/report_pdf.html``; the charts are the same SVG as on the
dashboard. Aggregates only: no names, case numbers or narratives ever reach a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from salingsapa.awareness.selectors import reach as awareness_reach
from salingsapa.stats import charts, engine, rollup
from salingsapa.stats.engine import MONTHS_ID_LONG, StatsFilter
from salingsapa.stats.narrative import highlights

REPORT_BREAKDOWNS = [
    "violence_form", "tpks_form", "sex", "age_group", "kecamatan", "place", "relationship", "met_via",
    "platform", "factor", "channel", "report_channel",
]


def parse_period(value: str) -> tuple[str, StatsFilter]:
    """``2025`` → ("annual", the year); ``2025-10`` → ("monthly", the month). ValueError otherwise."""
    value = (value or "").strip()
    if len(value) == 4 and value.isdigit():
        return "annual", StatsFilter.for_year(int(value))
    year, sep, month = value.partition("-")
    if sep and len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2 and 1 <= int(month) <= 12:
        return "monthly", StatsFilter.for_month(int(year), int(month))
    raise ValueError("Periode harus berbentuk tahun (2025) atau bulan (2025-10).")


def _pct(cur: int, prev: int) -> str:
    if not prev:
        return "—"
    d = (cur - prev) * 100 / prev
    return f"{'+' if d > 0 else ''}{d:.1f}%".replace(".", ",")


@rollup.session()  # the rollups are checked once for all the report's figures
def report_context(kind: str, flt: StatsFilter, *, organisation_id: int | None = None) -> dict[str, Any]:
    flt = replace(flt, organisation_id=organisation_id)
    s = engine.summary(flt, compare=True, kelurahan=False)
    ctx: dict[str, Any] = {
        "kind": kind,
        "title": ("Laporan Bulanan" if kind == "monthly" else "Laporan Tahunan")
        + " Perlindungan Perempuan dan Anak",
        "period": flt.label(),
        "previous": flt.previous_year().label(),
        "s": s,
        "case_change": _pct(s.cases, s.cases_previous),
        "victim_change": _pct(s.victims, s.victims_previous),
        "report_change": _pct(s.reports, s.reports_previous),
        "generated": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
    }
    if kind == "monthly":
        # year to date alongside the month
        ytd = replace(flt, start=dt.date(flt.start.year, 1, 1))
        ctx["ytd_label"] = ytd.label()
        ctx["ytd_cases"] = engine.case_total(ytd)
        ctx["ytd_previous_label"] = ytd.previous_year().label()
        ctx["ytd_previous"] = engine.case_total(ytd.previous_year())
        ctx["ytd_change"] = _pct(ctx["ytd_cases"], ctx["ytd_previous"])
        monthly = engine.by_month(ytd)
    else:
        monthly = s.breakdowns["month"]
    ctx["month_table"] = monthly
    ctx["month_chart"] = charts.column_chart(
        "Kasus per bulan", [(r.label.split()[0], r.value) for r in monthly.rows],
        previous=[r.previous or 0 for r in monthly.rows],
        legend=(str(monthly.rows[-1].label.split()[-1]) if monthly.rows else "", str(flt.start.year - 1)),
        width=680, height=220,
    )
    sections = []
    for key in REPORT_BREAKDOWNS:
        b = s.breakdowns[key]
        rows = [r for r in b.rows if r.value or r.previous]
        chart = None
        if rows and key not in ("tpks_form",):
            prev = [r.previous or 0 for r in rows] if rows[0].previous is not None else None
            chart = charts.bar_chart(b.title, [(r.label, r.value) for r in rows], previous=prev,
                                     legend=(flt.label(), flt.previous_year().label()), width=680)
        sections.append({"b": b, "rows": rows, "chart": chart, "compare": bool(rows) and rows[0].previous is not None,
                         "rate": key == "kecamatan"})
    ctx["sections"] = sections
    ctx["highlights"] = highlights(s)
    ctx["reach"] = awareness_reach(start=flt.start, end=flt.end)  # awareness events (sosialisasi)
    top = max(s.breakdowns["violence_form"].rows, key=lambda r: r.value, default=None)
    ctx["top_form"] = top if top and top.value else None
    return ctx


def render_report_html(kind: str, flt: StatsFilter, *, organisation_id: int | None = None) -> str:
    """The report is a Bahasa Indonesia document (docs/statistics.md), whatever the reader's language."""
    with translation.override("id"):
        return render_to_string("stats/report_pdf.html", report_context(kind, flt, organisation_id=organisation_id))


def render_report_pdf(kind: str, flt: StatsFilter, *, organisation_id: int | None = None) -> bytes:
    import logging

    from weasyprint import HTML  # imported lazily: it loads Pango

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)

    html = render_report_html(kind, flt, organisation_id=organisation_id)
    return HTML(string=html, base_url=None).write_pdf()  # type: ignore[no-any-return]


def report_filename(kind: str, flt: StatsFilter) -> str:
    if kind == "monthly":
        return f"laporan-bulanan-{flt.start:%Y-%m}.pdf"
    return f"laporan-tahunan-{flt.start:%Y}.pdf"


__all__ = ["MONTHS_ID_LONG", "parse_period", "render_report_pdf", "report_context", "report_filename"]
