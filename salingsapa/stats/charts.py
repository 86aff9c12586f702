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

# Two series told apart without colour too: the current period is solid blue, the comparison period
# is brown with white diagonal hatching, and every bar carries its value as text. Both fills have at
# least 3:1 contrast on white (#0072B2 5.2:1, #B35900 4.8:1); the old orange #E69F00 had 2.2:1.
CURRENT = "#0072B2"
PREVIOUS = "#B35900"
TEXT = "#222222"
GRID = "#BBBBBB"
_counter = 0


def _hatch(pid: str) -> str:
    """The comparison series' fill: brown with white diagonal lines (a pattern, not only a colour)."""
    return (
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{PREVIOUS}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" '
        f'stroke-width="2"/></pattern></defs>'
    )


def _legend(x: int, y: int, labels: tuple[str, str], pid: str, *, previous: bool, gap: int = 170) -> list[str]:
    out = [f'<rect x="{x}" y="{y}" width="14" height="14" fill="{CURRENT}"/>',
           f'<text x="{x + 18}" y="{y + 12}" fill="{TEXT}">{escape(labels[0])}</text>']
    if previous:
        out += [f'<rect x="{x + gap}" y="{y}" width="14" height="14" fill="url(#{pid})" stroke="{PREVIOUS}"/>',
                f'<text x="{x + gap + 18}" y="{y + 12}" fill="{TEXT}">{escape(labels[1])}</text>']
    return out


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
    compact: bool = False,
    mini: bool = False,
    suffix: str = "",
) -> SafeString:
    """Horizontal bars (one per category), optionally with the previous period's bar beneath.

    ``compact``: the label sits on its own line above the bar and the chart is drawn 340 units wide,
    so on a 360-px phone it is shown at about its own size (labels ≈ 13 px instead of ≈ 6 px).
    ``mini``: a small chart for the dashboard's first view (430 units wide, labels 12 px at 1:1).
    """
    if compact:
        width = 340
    if mini:
        width = 340
    font = 14 if compact else 11 if mini else 12
    if compact:
        bar_h = 13 if previous is not None else 18
    elif mini:
        bar_h = 7 if previous is not None else 12
    else:
        bar_h = 12 if previous is not None else 16
    label_row = 18 if compact else 0
    row_h = label_row + (2 * bar_h + (5 if mini else 8) if previous is not None else bar_h + (5 if mini else 8))
    label_w = 0 if compact else 118 if mini else 230
    top = (24 if previous is not None and legend[0] else 6) + (4 if compact else 0)
    height = top + row_h * max(len(items), 1) + 6
    peak = max([_val(v) for _, v in items] + [_val(v) for v in (previous or [])] + [1.0])
    span = width - label_w - (44 if compact else 60)
    tid, did, pid = _id("ct"), _id("cd"), _id("cp")
    desc = "; ".join(
        f"{lbl}: {v}" + (f" ({legend[1] or 'sebelumnya'} {previous[k]})" if previous is not None else "")
        for k, (lbl, v) in enumerate(items)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{font}">',
        f"<title id=\"{tid}\">{escape(title)}</title><desc id=\"{did}\">{escape(desc)}</desc>",
    ]
    if previous is not None:
        out.append(_hatch(pid))
        if legend[0]:
            out += _legend(label_w if not (compact or mini) else 0, 4, legend, pid, previous=True,
                           gap=150 if compact or mini else 170)
    out.append(f'<line x1="{label_w}" y1="{top - 2}" x2="{label_w}" y2="{height - 4}" stroke="{GRID}"/>')
    for k, (lbl, v) in enumerate(items):
        y = top + k * row_h
        limit = 40 if compact else 16 if mini else 34  # mini: 16 characters of 11 px fit the 112 units left of the bars
        short = lbl if len(lbl) <= limit else lbl[: limit - 1] + "…"
        if compact:
            out.append(f'<text x="2" y="{y + 13}" fill="{TEXT}">{escape(short)}</text>')
        else:
            ty = y + (2 * bar_h + 2 if previous is not None else bar_h) // 2 + 6
            out.append(f'<text x="{label_w - 6}" y="{ty}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        by = y + label_row + 2
        w = round(span * _val(v) / peak, 1)
        out.append(f'<rect x="{label_w}" y="{by}" width="{w}" height="{bar_h}" fill="{CURRENT}"/>')
        out.append(f'<text x="{label_w + w + 4}" y="{by + bar_h - 1}" fill="{TEXT}">{escape(_num(v))}{suffix}</text>')
        if previous is not None:
            pv = previous[k]
            pw = round(span * _val(pv) / peak, 1)
            py = by + bar_h + 2
            out.append(f'<rect x="{label_w}" y="{py}" width="{pw}" height="{bar_h}" fill="url(#{pid})" stroke="{PREVIOUS}" '
                       f'stroke-width="0.5"/>')
            out.append(f'<text x="{label_w + pw + 4}" y="{py + bar_h - 1}" fill="{TEXT}">{escape(_num(pv))}{suffix}</text>')
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
    values: bool = True,
) -> SafeString:
    """Vertical columns per period (months), the previous year's column beside each."""
    left, bottom, top = 36, 36, 28
    n = max(len(items), 1)
    slot = (width - left - 10) / n
    peak = max([_val(v) for _, v in items] + [_val(v) for v in (previous or [])] + [1.0])
    plot_h = height - top - bottom
    tid, did = _id("ct"), _id("cd")
    desc = "; ".join(
        f"{lbl}: {v}" + (f" ({legend[1] or 'tahun sebelumnya'} {previous[k]})" if previous is not None else "")
        for k, (lbl, v) in enumerate(items)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title id=\"{tid}\">{escape(title)}</title><desc id=\"{did}\">{escape(desc)}</desc>",
    ]
    pid = _id("cp")
    if previous is not None:
        out.append(_hatch(pid))
    if legend[0]:
        out += _legend(left, 4, legend, pid, previous=previous is not None)
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
                f'<rect x="{round(x + bar_w, 1)}" y="{round(base - ph, 1)}" width="{round(bar_w, 1)}" height="{ph}" '
                f'fill="url(#{pid})" stroke="{PREVIOUS}" stroke-width="0.5"/>'
            )
        if values and slot >= 26:
            out.append(f'<text x="{round(x + bar_w / 2, 1)}" y="{round(base - h - 3, 1)}" text-anchor="middle" '
                       f'font-size="10" fill="{TEXT}">{escape(_num(v))}</text>')
        out.append(
            f'<text x="{round(x + bar_w * (1 if previous is not None else 0.5), 1)}" y="{base + 14}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(lbl)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text inside is escaped above
