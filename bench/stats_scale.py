"""Statistics at scale: dashboard summary, public snapshot and PDF report, read from the rollups and
live from the case tables, beside the same figures by hand-written SQL on the same database.

    SALINGSAPA_DATA_DIR=/tmp/x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_x \\
        .venv/bin/python bench/stats_scale.py        # after `salingsapa seed-demo --cases 100000`

Prints one JSON line. ``bench/scale.py`` (``make bench``) runs it several times, each in a fresh
process (the first summary of a process is the cold figure), and takes medians. PostgreSQL only (the
hand-written SQL uses FILTER and AT TIME ZONE).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from salingsapa.accounts.models import User  # noqa: E402
from salingsapa.stats import engine, reports, rollup, service_stats, services  # noqa: E402
from salingsapa.stats.engine import StatsFilter  # noqa: E402
from salingsapa.stats.publication import snapshot_data  # noqa: E402
from salingsapa.stats.selectors import scope_for  # noqa: E402

YEAR = 2025  # ``--year``: a database whose seed stopped early has no 2025 (the seeder writes year by year)


def _service_statements(flt: StatsFilter) -> list[tuple[str, str, list[Any]]]:
    """The service figures as a person would write them against the base tables: the office's deadlines (and the
    clocks of reports without a case in its region), referrals and deliveries of the period, each one statement."""
    lo, hi = flt.bounds
    org = flt.organisation_id
    now = dt.datetime.now(dt.UTC)
    caseless = "d.case_id IS NULL"
    region: list[Any] = []
    if flt.report_region:
        caseless += " AND (r.kelurahan_id LIKE %s" + (" OR r.kelurahan_id IS NULL)" if flt.report_region ==
                                                       settings.HOME_REGION_CODE else ")")
        region = [flt.report_region + ".%"]
    return [
        ("deadlines", "SELECT d.kind, CASE WHEN d.kind = 'first_contact' THEN d.risk_level ELSE '' END, count(*), "
                      "count(*) FILTER (WHERE d.met_at <= d.due_at), count(*) FILTER (WHERE d.met_at > d.due_at), "
                      "count(*) FILTER (WHERE d.met_at IS NULL AND d.due_at < %s), "
                      "count(*) FILTER (WHERE d.met_at IS NULL AND d.due_at >= %s), avg(d.met_at - d.starts_at) "
                      "FROM cases_deadline d LEFT JOIN cases_case c ON c.id = d.case_id "
                      "LEFT JOIN intake_report r ON r.id = d.report_id WHERE d.starts_at >= %s AND d.starts_at < %s "
                      f"AND (c.organisation_id = %s OR ({caseless})) GROUP BY 1, 2", [now, now, lo, hi, org, *region]),
        ("referrals", "SELECT f.service, count(*), count(*) FILTER (WHERE f.status IN ('accepted', 'completed') OR "
                      "(f.responded_at IS NOT NULL AND f.status <> 'declined')), "
                      "count(*) FILTER (WHERE f.status = 'declined'), count(*) FILTER (WHERE f.status = 'completed'), "
                      "count(*) FILTER (WHERE f.status IN ('sent', 'accepted')), "
                      "count(*) FILTER (WHERE f.responded_at <= f.respond_by), "
                      "count(*) FILTER (WHERE f.responded_at > f.respond_by) FROM network_referral f "
                      "JOIN cases_case c ON c.id = f.case_id WHERE c.organisation_id = %s AND f.created_at >= %s "
                      "AND f.created_at < %s GROUP BY 1", [org, lo, hi]),
        ("deliveries", "SELECT s.kind, count(*) FROM network_servicedelivery s JOIN network_referral f "
                       "ON f.id = s.referral_id JOIN cases_case c ON c.id = f.case_id WHERE c.organisation_id = %s "
                       "AND s.delivered_on >= %s AND s.delivered_on <= %s GROUP BY 1", [org, flt.start, flt.end]),
    ]


def hand_sql(flt: StatsFilter) -> dict[str, float]:
    """The summary's figures by hand-written SQL: totals, months, victims, forms, kelurahan (``hand_case_s``) and
    the service figures (``hand_service_s``); ``hand_total_s`` is both."""
    lo, hi = flt.bounds
    plo, phi = flt.previous_year().bounds
    org = flt.organisation_id
    both = "((c.reported_at >= %s AND c.reported_at < %s) OR (c.reported_at >= %s AND c.reported_at < %s))"
    statements = [
        ("totals", "SELECT count(*) FILTER (WHERE c.reported_at >= %s AND c.reported_at < %s), "
                   "count(*) FILTER (WHERE c.reported_at >= %s AND c.reported_at < %s) "
                   f"FROM cases_case c WHERE c.organisation_id = %s AND {both}",
         [lo, hi, plo, phi, org, lo, hi, plo, phi]),
        ("months", "SELECT date_trunc('month', c.reported_at AT TIME ZONE 'Asia/Jakarta') m, count(*) "
                   "FROM cases_case c WHERE c.organisation_id = %s AND c.reported_at >= %s AND c.reported_at < %s "
                   "GROUP BY m", [org, lo, hi]),
        ("victims", "SELECT cp.age_group, p.sex, count(*) FROM cases_caseperson cp "
                    "JOIN cases_case c ON c.id = cp.case_id JOIN cases_person p ON p.id = cp.person_id "
                    "WHERE cp.role = 'victim' AND c.organisation_id = %s AND c.reported_at >= %s "
                    "AND c.reported_at < %s GROUP BY 1, 2", [org, lo, hi]),
        ("forms", "SELECT f.code_id, count(DISTINCT i.case_id) FILTER (WHERE c.reported_at >= %s AND c.reported_at < %s), "
                  "count(DISTINCT i.case_id) FILTER (WHERE c.reported_at >= %s AND c.reported_at < %s) "
                  "FROM cases_incident_violence_forms f JOIN cases_incident i ON i.id = f.incident_id "
                  f"JOIN cases_case c ON c.id = i.case_id WHERE c.organisation_id = %s AND {both} GROUP BY 1",
         [lo, hi, plo, phi, org, lo, hi, plo, phi]),
        ("kelurahan", "SELECT c.kelurahan_id, count(*) FROM cases_case c WHERE c.organisation_id = %s "
                      "AND c.reported_at >= %s AND c.reported_at < %s GROUP BY 1", [org, lo, hi]),
    ]
    service = _service_statements(flt)
    out: dict[str, float] = {}
    with connection.cursor() as cur:
        for name, sql, params in statements + service:
            started = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            out[f"hand_{name}_s"] = round(time.perf_counter() - started, 3)
    out["hand_service_s"] = round(sum(out[f"hand_{name}_s"] for name, _sql, _p in service), 3)
    out["hand_case_s"] = round(sum(out[f"hand_{name}_s"] for name, _sql, _p in statements), 3)
    out["hand_total_s"] = round(out["hand_case_s"] + out["hand_service_s"], 3)
    return out


def timed(out: dict[str, Any], name: str, fn: Callable[[], Any], *, queries: bool = False) -> Any:
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    out[f"{name}_s"] = round(time.perf_counter() - started, 3)
    if queries:
        out[f"{name}_queries"] = len(captured.captured_queries)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=YEAR, help="measure Jan-Oct of this year against the year before")
    parser.add_argument("--skip-live", action="store_true", help="only the rollups and hand SQL (the live engine "
                        "is slow at scale: bench/scale.py measures it in the first run only)")
    args = parser.parse_args()
    period = (dt.date(args.year, 1, 1), dt.date(args.year, 10, 31))
    out: dict[str, Any] = {"year": args.year}
    supervisor = User.objects.get(username="supervisor")
    flt = scope_for(supervisor, StatsFilter(start=period[0], end=period[1]))
    with rollup.session():
        out["rollups_in_use"] = rollup.ready()
    summary = timed(out, "summary_rollup_cold", lambda: engine.summary(flt), queries=True)
    timed(out, "summary_rollup_warm", lambda: engine.summary(flt))
    # the service figures alone: from the rollups with the open clocks live (the live part also alone), and
    # all live (as before the rollups held them: bench/scale.py's first run)
    timed(out, "service_stats", lambda: service_stats.service_stats(flt), queries=True)
    timed(out, "service_open_clocks", lambda: service_stats.open_deadlines(flt, timezone.now()), queries=True)
    out["cases_in_period"] = summary.cases
    if not args.skip_live:
        with rollup.live():
            live = timed(out, "summary_live", lambda: engine.summary(flt), queries=True)
            live_services = timed(out, "service_stats_live", lambda: service_stats.service_stats(flt), queries=True)
            timed(out, "breakdown_form_compare_live", lambda: engine.by_incident(flt, "violence_form", compare=True))
        out["summary_identical"] = live == summary
        out["services_identical"] = live_services == summary.services
    timed(out, "breakdown_form_compare_rollup", lambda: engine.by_incident(flt, "violence_form", compare=True))
    out.update(hand_sql(flt))

    preparer = User.objects.get(username="manajer1")
    pflt = scope_for(preparer, StatsFilter(start=period[0], end=period[1]))
    timed(out, "snapshot_data_rollup", lambda: snapshot_data(pflt), queries=True)
    if not args.skip_live:
        with rollup.live():
            timed(out, "snapshot_data_live", lambda: snapshot_data(pflt))
    for mode in ("rollup",) if args.skip_live else ("rollup", "live"):
        def prepare() -> Any:
            return services.snapshot_prepare(user=preparer, start=period[0], end=period[1])
        if mode == "live":
            with rollup.live():
                snap = timed(out, "snapshot_prepare_live", prepare, queries=True)
        else:
            snap = timed(out, "snapshot_prepare_rollup", prepare, queries=True)
        snap.delete()

    year = StatsFilter.for_year(args.year)
    org = supervisor.organisation_id
    timed(out, "report_pdf_rollup", lambda: reports.render_report_pdf("annual", year, organisation_id=org))
    timed(out, "report_context_rollup", lambda: reports.report_context("annual", year, organisation_id=org))
    if not args.skip_live:
        with rollup.live():
            timed(out, "report_context_live", lambda: reports.report_context("annual", year, organisation_id=org))
    # peak RSS of this process: a web worker rendering these pages would hold about as much (PDF included)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
