"""``make bench``: seeding and statistics at scale on PostgreSQL, written to ``bench/results/``.

    .venv/bin/python -m bench.scale --cases 20000            # quick (the default of `make bench`)
    .venv/bin/python -m bench.scale --cases 1000000          # `make bench FULL=1`
    .venv/bin/python -m bench.scale --cases 100000 --skip-seed   # measure an already seeded database again

1. Recreates the bench database (``BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/salingsapa_bench``; its name must contain "bench"), migrates it,
   loads the reference data and runs ``seed-demo --cases N --workers W`` in a child process: wall time,
   cases/s, CPU time and peak RSS of the seeder (its writer processes included), rollup rebuild time.
2. Runs ``bench/stats_scale.py`` ``--runs`` times, each in a fresh process (cold), and takes medians:
   dashboard summary from the rollups and live, the same figures by hand-written SQL, one breakdown,
   public snapshot data and preparation (with the differencing check), PDF report.
3. Runs ``bench/lists_scale.py`` on the same database in a fresh process: staff case list (first page,
   page 400, next page by its keyset link), search by case number, phone through the blind index, my
   cases, intake queue, referrals — median and p95 of ``--list-repeat`` requests each through the whole
   view — and the blind-index lookup alone (goals: p95 < 100 ms, lookup < 5 ms).
4. Peak RSS of a web worker and of the job worker: ``bench/soak.py`` for ``--soak-seconds`` (gunicorn +
   ``salingsapa worker`` on a database of their own; skipped, and said so, without Redis on
   ``SALINGSAPA_BENCH_REDIS_URL``); page weights of the report form (``bench/page_weight.py``).
5. Writes ``bench/results/scale_<N>.json`` (machine, load average before/after, every run) and
   ``bench/results/scale_<N>.md`` (the table docs/performance.md quotes).

Not part of ``make test``. The machine's load average is recorded with every figure: on a shared
machine wall times are pessimistic; compare figures measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.prodserver import redis_available

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SS = [str(ROOT / ".venv" / "bin" / "salingsapa")]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/salingsapa_bench"


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {"cpus": os.cpu_count(), "memory_mib": int(mem) // 1024, "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit.strip(),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: the bench database's name must contain 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def seed(cases: int, workers: int, env: dict[str, str]) -> dict[str, Any]:
    run([*SS, "migrate", "-v0"], env)
    run([*SS, "load-reference"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = loadavg()
    started = time.perf_counter()
    out = run([*SS, "seed-demo", "--cases", str(cases), "--workers", str(workers), "--verbosity", "1"], env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = {"cases": cases, "workers": workers, "wall_s": round(wall, 1),
                              "cpu_client_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
                              "peak_rss_mib": round(after.ru_maxrss / 1024), "load_before": load_before,
                              "load_after": loadavg()}
    m = re.search(r"Demo data: (\d+) cases, (\d+) reports, (\d+) persons in ([\d.]+) s", out)
    if m:
        result.update(reports=int(m[2]), persons=int(m[3]), seed_s=float(m[4]),
                      cases_per_s=round(int(m[1]) / float(m[4])))
    m = re.search(r"ANALYZE\) in ([\d.]+) s", out)
    if m:
        result["analyze_s"] = float(m[1])
    m = re.search(r"rollups rebuilt \((\d+) rows\) in ([\d.]+) s", out)
    if m:
        result.update(rollup_rows=int(m[1]), rollup_rebuild_s=float(m[2]))
    return result


def stats(runs: int, env: dict[str, str], *, year: int, live_runs: int) -> dict[str, Any]:
    """``runs`` fresh processes; the live engine (slow at scale, the "before") only in the first ``live_runs``."""
    samples = []
    for i in range(runs):
        load = loadavg()
        cmd = [sys.executable, str(ROOT / "bench" / "stats_scale.py"), "--year", str(year)]
        sample = json.loads(run(cmd + ([] if i < live_runs else ["--skip-live"]), env).strip().splitlines()[-1])
        sample["load"] = load
        sample["load_after"] = loadavg()
        samples.append(sample)
    keys = {k for s in samples for k, v in s.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    median = {k: round(statistics.median(s[k] for s in samples if k in s), 3) for k in sorted(keys)}
    median["summary_identical"] = all(s["summary_identical"] for s in samples if "summary_identical" in s)
    median["services_identical"] = all(s["services_identical"] for s in samples if "services_identical" in s)
    median["rollups_in_use"] = all(s["rollups_in_use"] for s in samples)
    return {"median": median, "runs": samples}


def lists(repeat: int, env: dict[str, str]) -> dict[str, Any]:
    """Staff lists, search and the blind-index lookup on the seeded database (bench/lists_scale.py)."""
    load = loadavg()
    out = run([sys.executable, "-m", "bench.lists_scale", "--print-json", "--repeat", str(repeat)], env)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["load"], result["load_after"] = load, loadavg()
    return result


def workers(seconds: int, env: dict[str, str]) -> dict[str, Any]:
    """Peak RSS of one web worker and of the job worker under the soak's mixed traffic (bench/soak.py)."""
    if seconds <= 0:
        return {"skipped": "--soak-seconds 0"}
    if not redis_available():
        return {"skipped": "no Redis at SALINGSAPA_BENCH_REDIS_URL (default redis://127.0.0.1:6379/15)"}
    load = loadavg()
    out_name = f"soak_bench_{os.getpid()}.json"
    done = subprocess.run([sys.executable, "-m", "bench.soak", "--seconds", str(seconds), "--out", out_name],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    path = RESULTS / out_name
    if not path.exists():
        raise SystemExit(f"bench.soak failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    soak = json.loads(path.read_text())
    path.unlink()
    keep = ("seconds", "clients", "workers", "requests", "errors", "first_errors", "master_rss_peak_mib",
            "web_worker_rss_peak_mib", "job_worker_rss_peak_mib", "load_average_end")
    return {**{k: soak[k] for k in keep if k in soak}, "load": load}


def page_weights() -> dict[str, Any]:
    """The report form's page weights (bench/page_weight.py, its own SQLite database)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SALINGSAPA_DATA_DIR")}
    subprocess.run([sys.executable, "-m", "bench.page_weight"], env=env, capture_output=True, text=True, cwd=ROOT,
                   check=False)
    pages = json.loads((RESULTS / "page_weight.json").read_text())["pages"]
    heaviest = max(pages, key=lambda p: p["served"])
    return {"pages": len(pages), "budget_bytes": 60 * 1024, "all_within_budget": all(p["within_budget"] for p in pages),
            "heaviest": heaviest["name"], "heaviest_served_bytes": heaviest["served"],
            "heaviest_gzip_bytes": heaviest["gzip"], "external_requests": sum(len(p["external"]) for p in pages)}


def lists_markdown(data: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if data.get("lists"):
        li = data["lists"]
        lines += ["", f"Lists and search: {li['meta']['cases']:,} cases, {li['meta']['reports']:,} reports; each page "
                      f"through the whole view (session, second factor, queries, template), {li['meta']['repeat']} "
                      f"requests after one warm-up; load average {li['load'][0]}–{li['load_after'][0]}; peak RSS of "
                      f"the process serving them {li['meta']['peak_rss_mib']} MiB. Goals: p95 < 100 ms, blind-index "
                      f"lookup < 5 ms.", "",
                  "| page | median | p95 | queries | slowest query |", "| --- | ---: | ---: | ---: | ---: |"]
        for page in li["pages"]:
            if "median_ms" not in page:
                lines.append(f"| {page['page']} | status {page.get('status')} | | | |")
                continue
            slowest = f"{page['slowest_query_ms']} ms" if "slowest_query_ms" in page else "—"
            lines.append(f"| {page['page']} | {page['median_ms']} ms | {page.get('p95_ms', '—')} ms | "
                         f"{page.get('queries', '—')} | {slowest} |")
    if data.get("workers"):
        w = data["workers"]
        if "skipped" in w:
            lines += ["", f"Worker memory: not measured ({w['skipped']})."]
        else:
            lines += ["", f"Worker memory (goal < 200 MB = 190.7 MiB each): soak of {w['seconds']} s, {w['clients']} "
                          f"clients, {w['workers']} gunicorn workers + the job worker, {w['requests']} requests, "
                          f"{w['errors']} errors, load average {w['load'][0]}–{w['load_average_end'][0]}: peak RSS of "
                          f"one web worker **{w['web_worker_rss_peak_mib']} MiB**, of the job worker "
                          f"**{w['job_worker_rss_peak_mib']} MiB** (the master {w['master_rss_peak_mib']} MiB)."]
    if data.get("page_weights"):
        pw = data["page_weights"]
        lines += ["", f"Page weights (report form, {pw['pages']} pages, HTML + gzip static): heaviest "
                      f"{pw['heaviest']} {pw['heaviest_served_bytes']:,} B served ({pw['heaviest_gzip_bytes']:,} B "
                      f"gzip), budget {pw['budget_bytes']:,} B, all within: {pw['all_within_budget']}, external "
                      f"requests: {pw['external_requests']}; the table: `bench/results/page_weight.md`."]
    return lines


ROWS = [
    ("dashboard summary, cold (rollups)", "summary_rollup_cold_s", "hand_total_s"),
    ("dashboard summary, same process again (rollups)", "summary_rollup_warm_s", "hand_total_s"),
    ("dashboard summary, live from the case tables", "summary_live_s", "hand_total_s"),
    ("service figures (deadlines, referrals, deliveries; part of the summary), rollups + open clocks live",
     "service_stats_s", "hand_service_s"),
    ("— of which the open clocks, live", "service_open_clocks_s", None),
    ("service figures, live from the base tables", "service_stats_live_s", "hand_service_s"),
    ("one breakdown with previous year (forms), rollups", "breakdown_form_compare_rollup_s", "hand_forms_s"),
    ("one breakdown with previous year (forms), live", "breakdown_form_compare_live_s", "hand_forms_s"),
    ("public snapshot data (rollups)", "snapshot_data_rollup_s", "hand_case_s"),
    ("public snapshot data (live)", "snapshot_data_live_s", "hand_case_s"),
    ("public snapshot prepare with differencing check (rollups)", "snapshot_prepare_rollup_s", None),
    ("public snapshot prepare with differencing check (live)", "snapshot_prepare_live_s", None),
    ("PDF report figures, annual (rollups)", "report_context_rollup_s", None),
    ("PDF report figures, annual (live)", "report_context_live_s", None),
    ("PDF report rendered, annual (rollups; WeasyPrint included)", "report_pdf_rollup_s", None),
]


def _ratio(r: float) -> str:
    """2.9×, 0.23×, 0.011× — enough digits that a fast figure does not read as 0.0×."""
    return f"{r:.1f}×" if r >= 1 else f"{r:.2g}×"


def markdown(data: dict[str, Any]) -> str:
    m = data["stats"]["median"] if data.get("stats") else {}
    lines = [f"# Scale benchmark: {data['cases']:,} cases (PostgreSQL)", "",
             f"Machine: {data['machine']['cpus']} CPUs, {data['machine']['memory_mib']} MiB, Python "
             f"{data['machine']['python']}, {data['postgres']}; commit {data['machine']['commit']}, "
             f"{data['machine']['date']}.", ""]
    if data.get("seed"):
        s = data["seed"]
        lines += ["| seeding | figure |", "| --- | ---: |",
                  f"| seed-demo --cases {s['cases']:,} --workers {s['workers']} (wall, whole command) | {s['wall_s']} s |",
                  f"| of which writing the cases | {s.get('seed_s', '?')} s ({s.get('cases_per_s', '?')} cases/s) |",
                  f"| ANALYZE | {s.get('analyze_s', '?')} s |",
                  f"| rollup rebuild ({s.get('rollup_rows', '?')} rows) | {s.get('rollup_rebuild_s', '?')} s |",
                  f"| client CPU (user + sys, writers included) | {s['cpu_client_s']} s |",
                  f"| peak RSS of one seeder process | {s['peak_rss_mib']} MiB |",
                  f"| load average before / after | {s['load_before'][0]} / {s['load_after'][0]} |", ""]
    if m:
        loads = [r["load"][0] for r in data["stats"]["runs"]]
        lines += [f"Statistics: median of {len(loads)} runs, each in a fresh process (the live engine in the first "
                  f"run only); {m.get('cases_in_period', 0):,.0f} cases in Jan–Okt {m.get('year', 2025):.0f} (the "
                  f"supervisor's office) against the same months a year earlier; load average during the runs "
                  f"{min(loads)}–{max(loads)}; rollups in use: {m['rollups_in_use']}; rollup summary identical to "
                  f"the live one: {m['summary_identical']}; service figures identical: "
                  f"{m.get('services_identical')}.", "",
                  "| what | median | hand-written SQL | ratio |", "| --- | ---: | ---: | ---: |"]
        for label, key, ref in ROWS:
            if key not in m:
                continue
            value = m[key]
            ref_value = m.get(ref) if ref else None
            ratio = _ratio(value / ref_value) if ref_value else "—"
            lines.append(f"| {label} | {value * 1000:,.0f} ms | "
                         f"{f'{ref_value * 1000:,.0f} ms' if ref_value else '—'} | {ratio} |")
        lines += ["", f"Queries: summary {m.get('summary_rollup_cold_queries', 0):.0f} (rollups) vs "
                      f"{m.get('summary_live_queries', 0):.0f} (live); snapshot data {m.get('snapshot_data_rollup_queries', 0):.0f}; "
                      f"service figures {m.get('service_stats_queries', 0):.0f} (rollups + open clocks) vs "
                      f"{m.get('service_stats_live_queries', 0):.0f} (live); snapshot prepare "
                      f"{m.get('snapshot_prepare_rollup_queries', 0):.0f} (rollups) vs "
                      f"{m.get('snapshot_prepare_live_queries', 0):.0f} (live).",
                  "", f"Peak RSS of one statistics process (all of the above, the PDF included): "
                      f"{m.get('peak_rss_mib', 0):.0f} MiB."]
    lines += lists_markdown(data)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-seed", action="store_true", help="measure the statistics of the database as it is")
    parser.add_argument("--skip-stats", action="store_true")
    parser.add_argument("--year", type=int, default=2025, help="the statistics measure Jan-Oct of this year")
    parser.add_argument("--live-runs", type=int, default=1, help="runs that also time the live engine")
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--list-repeat", type=int, default=20, help="requests per list page (median, p95)")
    parser.add_argument("--soak-seconds", type=int, default=60,
                        help="mixed traffic for the worker memory figures (0: skip)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", f"/tmp/salingsapa-bench-{args.cases}"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "SALINGSAPA_DATA_DIR": str(data_dir), "SALINGSAPA_ENV": "development"}
    data: dict[str, Any] = {"cases": args.cases, "machine": machine()}
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres"))) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        data["postgres"] = f"PostgreSQL {row[0] if row else '?'}"
    if not args.skip_seed:
        recreate(url)
        data["seed"] = seed(args.cases, args.workers, env)
        print(json.dumps(data["seed"]), flush=True)
    if not args.skip_stats:
        data["stats"] = stats(args.runs, env, year=args.year, live_runs=args.live_runs)
        print(json.dumps(data["stats"]["median"]), flush=True)
    if not args.skip_lists:
        data["lists"] = lists(args.list_repeat, env)
        print(json.dumps(data["lists"]), flush=True)
    data["workers"] = workers(args.soak_seconds, env)
    data["page_weights"] = page_weights()
    print(json.dumps({"workers": data["workers"], "page_weights": data["page_weights"]}), flush=True)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"scale_{args.cases}"
    previous = json.loads(stem.with_suffix(".json").read_text()) if stem.with_suffix(".json").exists() else {}
    if args.skip_seed and previous.get("seed"):
        data["seed"] = previous["seed"]  # keep the seeding figures of the run that seeded
    if args.skip_stats and previous.get("stats"):
        data["stats"] = previous["stats"]  # and the statistics of the run that measured them
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(data))
    print(f"written: {stem}.json, {stem}.md")


if __name__ == "__main__":
    main()
