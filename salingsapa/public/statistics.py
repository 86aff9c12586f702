"""The public statistics page (``/statistik/``): approved snapshots only, inside the public frame.

The public surface imports the statistics domain (``stats.selectors``, ``stats.charts``), never the
reverse. The JSON twin is ``GET /api/v1/stats/public`` (``stats/api.py``), which returns
``stats.selectors.public_payload`` of the same snapshot.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from salingsapa.public.views import page
from salingsapa.stats import charts, selectors
from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.publication import period_labels, present

_PERIOD_ID = re.compile(r"[0-9]{1,12}")


class BadPeriod(ValueError):
    """``?periode=`` is not a snapshot number (e.g. ``%C2%B2``, a superscript two)."""


def _public_snapshot(request: HttpRequest) -> PublishedSnapshot | None:
    wanted = request.GET.get("periode", "")
    if not wanted:
        return selectors.latest_public_snapshot()
    # ASCII digits only: str.isdigit() accepts "²" and other digits int() refuses.
    if not _PERIOD_ID.fullmatch(wanted):
        raise BadPeriod(wanted)
    snap = selectors.public_snapshots().filter(pk=int(wanted)).first()
    if snap is None:
        raise Http404
    return snap


@require_GET
def public_stats(request: HttpRequest) -> HttpResponse:
    """The latest approved snapshot (or ``?periode=<id>``), tables exactly as approved."""
    try:
        snapshot = _public_snapshot(request)
    except BadPeriod:
        return page(request, "public/statistics.html", {
            "error": _("Periode tidak dikenal. Pilih salah satu periode di bawah."),
            "others": selectors.public_snapshots()[:24],
        }, status=400)
    data = snapshot.data if snapshot else None
    chart = None
    tables = present(data) if data else []
    forms = next((t for t in tables if t["key"] == "violence_form" and not t["withheld"]), None)
    if forms:
        chart = charts.bar_chart(forms["title"], [(r["label"], r["value"]) for r in forms["body"]], compact=True)
    labels = period_labels(data) if data else ("", "")
    return page(request, "public/statistics.html", {
        "snapshot": snapshot, "data": data, "chart": chart, "tables": tables,
        "period_label": labels[0], "previous_label": labels[1],
        "others": (selectors.public_snapshots().exclude(pk=snapshot.pk) if snapshot else selectors.public_snapshots())[:24],
    })
