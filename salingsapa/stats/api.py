"""Statistics endpoints for the JSON API v1, as a django-ninja router.

Mount on the project's NinjaAPI with ``api.add_router("/stats", router)``:

* ``GET /api/v1/stats/public`` — the latest approved public snapshot (no auth), exactly the JSON the
  public page renders (``?periode=<id>`` for an older approved one); 404 when nothing is published.
* ``GET /api/v1/stats/summary`` — detailed (unsuppressed) aggregates for partner systems. It needs
  the API's token auth to set ``request.auth`` to a lead-agency user; without that it answers 401,
  so mounting it without auth exposes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from salingsapa.accounts.tokens import TokenAuth
from salingsapa.core.dbrouter import replica_reads
from salingsapa.stats import selectors
from salingsapa.stats.engine import FilterError, StatsFilter

router = Router(tags=["statistik"])


class Message(Schema):
    detail: str


@router.get("/public", response={200: Any, 404: Message}, auth=None,
            summary="Statistik publik (teragregasi dan tersamarkan)")
def public(request: HttpRequest, periode: int | None = None) -> Any:
    qs = selectors.public_snapshots()
    snapshot = qs.filter(pk=periode).first() if periode is not None else selectors.latest_public_snapshot()
    if snapshot is None:
        raise HttpError(404, "Belum ada statistik yang dipublikasikan.")
    return selectors.public_payload(snapshot)


class Row(Schema):
    key: str
    label: str
    value: int
    previous: int | None = None
    rate_per_10000: float | None = None


class Breakdown(Schema):
    key: str
    title: str
    unit: str
    rows: list[Row]


class Summary(Schema):
    period: str
    previous_period: str
    cases: int
    cases_previous: int
    victims: int
    child_victims: int
    reports: int
    breakdowns: list[Breakdown]


@router.get("/summary", response={200: Summary, 400: Message, 401: Message}, auth=TokenAuth(),
            summary="Statistik rinci untuk sistem mitra (token)")
def summary(
    request: HttpRequest, start: dt.date, end: dt.date, area: str = "", form: str = "", age_group: str = "",
) -> Any:
    user = getattr(request, "auth", None)
    if not selectors.can_view_dashboard(user):
        raise HttpError(401, "Token tidak valid atau tidak berhak.")
    try:
        flt = StatsFilter(start=start, end=end, area=area, form=form, age_group=age_group)
    except FilterError as exc:
        raise HttpError(400, str(exc)) from None
    with replica_reads():  # read-only: the read replica when there is one (core/dbrouter.py)
        s = selectors.dashboard_summary(user, flt)
    return {
        "period": flt.label(), "previous_period": flt.previous_year().label(),
        "cases": s.cases, "cases_previous": s.cases_previous, "victims": s.victims,
        "child_victims": s.child_victims, "reports": s.reports,
        "breakdowns": [
            {"key": b.key, "title": b.title, "unit": b.unit,
             "rows": [{"key": r.key, "label": r.label, "value": r.value, "previous": r.previous,
                       "rate_per_10000": r.rate} for r in b.rows]}
            for b in s.breakdowns.values()
        ],
    }


__all__ = ["router"]
