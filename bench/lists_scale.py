"""Staff lists and lookups on a large seeded database (issue 14 item 2).

    DATABASE_URL=postgres://…/ss_bench SALINGSAPA_DATA_DIR=<the seed's data folder> \\
        .venv/bin/python -m bench.lists_scale --label after

Runs against an already seeded database (``salingsapa seed-demo --cases 100000``; the data folder
must hold the keys the seed used, for the blind-index lookups). For each page — case list (first
page, page 400, the next page by its link, a case number, a phone number through the blind index),
"my cases", the intake queue, referrals — it times the whole view through Django's test client
(median of ``--repeat`` after one warm-up) and counts its queries; then it runs ``EXPLAIN (ANALYZE,
BUFFERS)`` on the slowest query of each page and writes the plans to
``bench/results/lists_scale_<label>.txt`` and the figures to ``bench/results/lists_scale_<label>.json``.
It writes nothing to the database but sessions and audit entries of the page views. Runs with the
code of any commit (``--label before`` with the old checkout's interpreter and PYTHONPATH).
``make bench`` (bench/scale.py) runs it with ``--print-json`` on the database it seeded: the figures
(median and p95 of ``--repeat`` requests per page, the process's peak RSS) go to stdout as one JSON line
and into ``bench/results/scale_<N>.{json,md}`` instead of the ``lists_scale_<label>`` files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

os.environ.setdefault("SALINGSAPA_ENV", "development")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")
RESULTS = Path(__file__).resolve().parent / "results"


def p95(times: list[float], digits: int = 1) -> float:
    """The 95th percentile (nearest rank) of the timings."""
    ordered = sorted(times)
    return round(ordered[max(0, -(-len(ordered) * 95 // 100) - 1)], digits)


def peak_rss_mib() -> int:
    """This process's peak resident memory (VmHWM), in MiB: one process serving the staff pages."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="now")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--print-json", action="store_true",
                        help="print the figures as one JSON line (bench/scale.py) instead of writing files")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from salingsapa.accounts.models import AuthenticatorDevice, User
    from salingsapa.cases.models import Case, CasePerson

    settings.ALLOWED_HOSTS = ["testserver"]

    def client_for(username: str) -> Client:
        user = User.objects.get(username=username)
        device = AuthenticatorDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})[0]
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    manager = User.objects.filter(role="case_manager", is_active=True, organisation__isnull=False).order_by("username").first()
    assert manager is not None, "seed the database first"
    staff = client_for(manager.username)
    total = Case.objects.count()
    middle = Case.objects.filter(organisation_id=manager.organisation_id).order_by("-reported_at", "-id")[total // 3]
    victim = (CasePerson.objects.filter(case__organisation_id=manager.organisation_id, role="victim")
              .exclude(person__phone_index="").select_related("person").order_by("-id").first())
    phone = victim.person.phone if victim else ""

    pages: list[tuple[str, str]] = [
        ("case list, first page", "/staf/kasus/"),
        ("case list, page 400 (?page=400)", "/staf/kasus/?page=400"),
        ("case list, search by whole case number", f"/staf/kasus/?number={middle.number}"),
        ("case list, phone through the blind index", f"/staf/kasus/?identifier_kind=phone&identifier={phone}"),
        ("my cases (open)", "/staf/kasus/saya/"),
        ("intake queue", "/staf/pengaduan/"),
        ("referrals", "/staf/jejaring/rujukan/"),
    ]
    first = staff.get("/staf/kasus/").content.decode()
    nxt = re.search(r'href="([^"]+)" rel="next"', first)
    if nxt and "setelah=" in nxt.group(1):
        pages.insert(2, ("case list, next page by its link (keyset)", "/staf/kasus/" + nxt.group(1).replace("&amp;", "&")))

    results = []
    plans = []
    for label, url in pages:
        response = staff.get(url)  # warm-up
        if response.status_code != 200:
            results.append({"page": label, "status": response.status_code})
            continue
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            staff.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            staff.get(url)
        # the list's own queries; not the planner's row estimate (EXPLAIN) that replaces an exact count
        own = [q for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("EXPLAIN")]
        listed = [q for q in own
                  if any(t in q["sql"] for t in ('FROM "cases_case"', 'FROM "intake_report"', 'FROM "network_referral"'))]
        slowest = max(listed or own, key=lambda q: float(q["time"]))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append(f"== {label}: {url.split('?')[0]} ({float(slowest['time']) * 1000:.1f} ms)\n{slowest['sql']}\n\n{plan}\n")
        results.append({"page": label, "url": url.split("?")[0], "median_ms": round(statistics.median(times), 1),
                        "p95_ms": p95(times), "min_ms": round(min(times), 1), "queries": len(ctx.captured_queries),
                        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1)})
        print(f"{label:45} {results[-1]['median_ms']:8.1f} ms  {len(ctx.captured_queries):3} queries  "
              f"slowest {results[-1]['slowest_query_ms']} ms")

    # the blind-index lookup alone (phone → people), as the API and the matcher do it
    from salingsapa.cases.models import Person
    from salingsapa.core.identifiers import identifier_index, normalise_identifier

    kind, value = normalise_identifier("phone", phone)
    index = identifier_index(kind, value)
    times = []
    for _ in range(max(20, args.repeat)):
        started = time.perf_counter()
        list(Person.objects.filter(phone_index=index).values_list("pk", flat=True))
        times.append((time.perf_counter() - started) * 1000)
    results.append({"page": "blind-index lookup (phone → people), ORM", "median_ms": round(statistics.median(times), 2),
                    "p95_ms": p95(times, 2)})
    print(f"{'blind-index lookup':45} {results[-1]['median_ms']:8.2f} ms")

    from salingsapa.intake.models import Report

    meta = {"label": args.label, "cases": total, "vendor": connection.vendor, "reports": Report.objects.count(),
            "repeat": args.repeat, "peak_rss_mib": peak_rss_mib()}
    if args.print_json:
        print(json.dumps({"meta": meta, "pages": results}))
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"lists_scale_{args.label}.json").write_text(json.dumps({"meta": meta, "pages": results}, indent=2))
    (RESULTS / f"lists_scale_{args.label}.txt").write_text("\n".join(plans))


if __name__ == "__main__":
    main()
