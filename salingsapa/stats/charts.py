"""Server-rendered SVG charts: the same markup in the dashboard, on the public page and in the PDF.

Why not a JavaScript charting library: the charts must work with no JavaScript on a cheap phone,
under a CSP without inline styles, and look identical in WeasyPrint's PDF. These SVGs use only
presentation attributes (no ``style``), carry ``role="img"`` with a title and description, and are
always followed by their data table in the templates.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe pair (Okabe–Ito) with enough contrast on white.
CURRENT = "#0072B2"
PREVIOUS = "#E69F00"
TEXT = "#222222"
GRID = "#BBBBBB"
_counter = 0


def _id(prefix: str) -> str:
    global _counter
    _counter = (_counter + 1) % 1_000_000
    return f"{prefix}{_counter}"


def _num(v: int | float | str) -> str:
    return str(v)


def _val(v: int | float | str) -> float:
    """Numeric length of a bar; a suppressed cell ("<5", "x") is drawn as no bar, its marker as text."""
    return float(v) if isinstance(v, (int, float)) else 0.0


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int | float | str]],
    *,
    previous: Sequence[int | float | str] | None = None,
    legend: tuple[str, str] = ("", ""),
    width: int = 640,
) -> SafeString:
    """Horizontal bars (one per category), optionally with the previous period's bar beneath."""
    row_h = 30 if previous is not None else 22
    label_w = 230
    top = 28 if previous is not None else 8
    height = top + row_h * max(len(items), 1) + 10
    peak = max([_val(v) for _, v in items] + [_val(v) for v in (previous or [])] + [1.0])
    span = width - label_w - 60
    tid, did = _id("ct"), _id("cd")
    desc = "; ".join(
        f"{lbl}: {v}" + (f" (sebelumnya {previous[k]})" if previous is not None else "") for k, (lbl, v) in enumerate(items)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="12">',
        f"<title id=\"{tid}\">{escape(title)}</title><desc id=\"{did}\">{escape(desc)}</desc>",
    ]
    if previous is not None and legend[0]:
        out.append(f'<rect x="{label_w}" y="4" width="12" height="12" fill="{CURRENT}"/>')
        out.append(f'<text x="{label_w + 16}" y="14" fill="{TEXT}">{escape(legend[0])}</text>')
        out.append(f'<rect x="{label_w + 160}" y="4" width="12" height="12" fill="{PREVIOUS}"/>')
        out.append(f'<text x="{label_w + 176}" y="14" fill="{TEXT}">{escape(legend[1])}</text>')
    out.append(f'<line x1="{label_w}" y1="{top - 2}" x2="{label_w}" y2="{height - 8}" stroke="{GRID}"/>')
    for k, (lbl, v) in enumerate(items):
        y = top + k * row_h
        short = lbl if len(lbl) <= 34 else lbl[:33] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        bar_h = 11 if previous is not None else 15
        w = round(span * _val(v) / peak, 1)
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{bar_h}" fill="{CURRENT}"/>')
        out.append(f'<text x="{label_w + w + 4}" y="{y + 13}" fill="{TEXT}">{escape(_num(v))}</text>')
        if previous is not None:
            pv = previous[k]
            pw = round(span * _val(pv) / peak, 1)
            out.append(f'<rect x="{label_w}" y="{y + 15}" width="{pw}" height="{bar_h}" fill="{PREVIOUS}"/>')
            out.append(f'<text x="{label_w + pw + 4}" y="{y + 25}" fill="{TEXT}" font-size="10">{escape(_num(pv))}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text inside is escaped above


def column_chart(
    title: str,
    items: Sequence[tuple[str, int | float | str]],
    *,
    previous: Sequence[int | float | str] | None = None,
    legend: tuple[str, str] = ("", ""),
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Vertical columns per period (months), the previous year's column beside each."""
    left, bottom, top = 36, 36, 28
    n = max(len(items), 1)
    slot = (width - left - 10) / n
    peak = max([_val(v) for _, v in items] + [_val(v) for v in (previous or [])] + [1.0])
    plot_h = height - top - bottom
    tid, did = _id("ct"), _id("cd")
    desc = "; ".join(
        f"{lbl}: {v}" + (f" (tahun sebelumnya {previous[k]})" if previous is not None else "")
        for k, (lbl, v) in enumerate(items)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title id=\"{tid}\">{escape(title)}</title><desc id=\"{did}\">{escape(desc)}</desc>",
    ]
    if legend[0]:
        out.append(f'<rect x="{left}" y="4" width="12" height="12" fill="{CURRENT}"/>')
        out.append(f'<text x="{left + 16}" y="14" fill="{TEXT}">{escape(legend[0])}</text>')
        if previous is not None:
            out.append(f'<rect x="{left + 170}" y="4" width="12" height="12" fill="{PREVIOUS}"/>')
            out.append(f'<text x="{left + 186}" y="14" fill="{TEXT}">{escape(legend[1])}</text>')
    base = height - bottom
    for frac in (0, 0.5, 1):
        y = round(base - plot_h * frac, 1)
        out.append(f'<line x1="{left}" y1="{y}" x2="{width - 10}" y2="{y}" stroke="{GRID}" stroke-width="0.5"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" fill="{TEXT}">{round(peak * frac)}</text>')
    bar_w = slot * (0.38 if previous is not None else 0.7)
    for k, (lbl, v) in enumerate(items):
        x = left + k * slot + slot * 0.1
        h = round(plot_h * _val(v) / peak, 1)
        out.append(f'<rect x="{round(x, 1)}" y="{round(base - h, 1)}" width="{round(bar_w, 1)}" height="{h}" fill="{CURRENT}"/>')
        if previous is not None:
            ph = round(plot_h * _val(previous[k]) / peak, 1)
            out.append(
                f'<rect x="{round(x + bar_w, 1)}" y="{round(base - ph, 1)}" width="{round(bar_w, 1)}" height="{ph}" fill="{PREVIOUS}"/>'
            )
        out.append(
            f'<text x="{round(x + bar_w * (1 if previous is not None else 0.5), 1)}" y="{base + 14}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(lbl)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text inside is escaped above
