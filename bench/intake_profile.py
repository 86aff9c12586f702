"""Where a report's server CPU goes, beside the bare view (issue 14 item 3).

    DATABASE_URL=postgres://…/db .venv/bin/python -m bench.intake_profile [--n 200] [--label after]

Runs the whole Django stack in this process (the WSGI handler with every middleware, through
Django's test client) against a migrated database with the production codename KDF: ``--n``
``POST /api/v1/reports`` (the payload of ``bench/intake_load.py``, a fresh ``Idempotency-Key`` each)
and as many ``GET /healthz``. It reports the CPU time of this process per request for each (the
client's own share is the same for both, so the difference is what a report adds), then profiles
the reports with cProfile and groups the cumulative time: the codename hash, request parsing and
validation, sealing and blind indexes, the database (queries issued and waited on), the audit
entry, notification. Results: ``bench/results/intake_profile_<label>.json`` and the top of the
profile in ``.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
import uuid
from pathlib import Path

os.environ.setdefault("SALINGSAPA_ENV", "development")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")
os.environ.setdefault("SALINGSAPA_REPORT_RATE_LIMIT", "1000000")
os.environ.setdefault("SALINGSAPA_NOTIFY_TRANSPORT", "none")
RESULTS = Path(__file__).resolve().parent / "results"

# cumulative time of these functions, per report (each name: module path fragment, function)
GROUPS = {
    "codename hash (Argon2id)": [("core/crypto.py", "hash_codename")],
    "ninja: parse and validate the JSON body": [("ninja/operation.py", "_get_values")],
    "the API view (reports_create)": [("api/v1.py", "reports_create")],
    "sealing (AES-GCM) and blind indexes": [("core/crypto.py", "seal"), ("core/crypto.py", "identifier_index"),
                                             ("core/identifiers.py", "identifier_index")],
    "database: execute (all queries)": [("django/db/backends/utils.py", "_execute")],
    "audit entry (audit_log)": [("core/audit.py", "audit_log")],
    "rate limit (atomic counter row)": [("intake/ratelimit.py", "request_hit")],
    "middleware: sessions, CSRF, CSP, security headers": [("django/contrib/sessions/middleware.py", "process_response"),
                                                          ("csp/middleware.py", "process_response")],
    "report_create (service, all of it)": [("intake/services.py", "report_create")],
    "whole request (WSGI handler)": [("django/core/handlers/base.py", "get_response")],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--label", default="now")
    parser.add_argument("--dump", help="also write the raw cProfile stats to this file (for pstats/snakeviz)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    from bench.intake_load import REPORT

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    client = Client()
    body = json.dumps(REPORT)

    def report() -> int:
        return client.post("/api/v1/reports", body, content_type="application/json",
                           headers={"Idempotency-Key": str(uuid.uuid4())}).status_code

    def healthz() -> int:
        return client.get("/healthz").status_code

    for _ in range(10):  # warm-up: imports, connection, caches
        assert report() == 201, report()
        assert healthz() == 200

    def cpu_per_request(fn, n: int) -> float:
        started = time.process_time()
        for _ in range(n):
            fn()
        return (time.process_time() - started) / n * 1000

    rounds = {"report": [], "healthz": []}
    for _ in range(3):
        rounds["report"].append(cpu_per_request(report, args.n // 3))
        rounds["healthz"].append(cpu_per_request(healthz, args.n // 3))
    report_ms, healthz_ms = statistics.median(rounds["report"]), statistics.median(rounds["healthz"])

    settings.DEBUG = True  # count queries
    reset_queries()
    report()
    queries = [q["sql"] for q in connection.queries]
    settings.DEBUG = False

    profiler = cProfile.Profile(time.process_time)  # CPU of this process, not the wall clock of a busy machine
    profiler.enable()
    for _ in range(args.n):
        report()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    groups: dict[str, float] = {}
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for group, names in GROUPS.items():
            if any(path.endswith(p) and func == f for p, f in names):
                groups[group] = groups.get(group, 0.0) + ct / args.n * 1000
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)

    print(f"CPU per request: report {report_ms:.1f} ms, /healthz {healthz_ms:.1f} ms "
          f"(difference {report_ms - healthz_ms:.1f} ms); {len(queries)} queries per report")
    print("profile (cProfile on CPU time, cumulative ms per report; profiler overhead included):")
    for group, ms in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {group:45} {ms:7.1f}")
    RESULTS.mkdir(exist_ok=True)
    out = {"label": args.label, "n": args.n, "vendor": connection.vendor,
           "cpu_ms_per_report": round(report_ms, 2), "cpu_ms_per_healthz": round(healthz_ms, 2),
           "rounds": rounds, "queries_per_report": len(queries), "queries": queries,
           "profile_ms_per_report": {k: round(v, 2) for k, v in groups.items()}}
    (RESULTS / f"intake_profile_{args.label}.json").write_text(json.dumps(out, indent=2))
    (RESULTS / f"intake_profile_{args.label}.txt").write_text(text.getvalue())


if __name__ == "__main__":
    main()
