"""Intake under load: ``POST /api/v1/reports`` vs ``GET /healthz`` on the same production server.

    .venv/bin/python -m bench.intake_load                        # starts its own server (gunicorn)
    .venv/bin/python -m bench.intake_load --clients 8,16,32 --seconds 20 --workers 5
    .venv/bin/python -m bench.intake_load --url http://127.0.0.1:8000   # an already running server

The load generator (``--generator``): ``wrk`` (Debian's package; C, epoll, a Lua script makes each
request: a fresh ``Idempotency-Key``) when it is installed, else Python threads (each client a thread
with a new HTTP connection per request). Either way every request is a complete, valid report with a
fresh ``Idempotency-Key`` and, as a trusted proxy would send, ``X-Forwarded-Proto: https`` and an
``X-Forwarded-For``; gunicorn's sync workers close the connection after each response, as phones behind a
proxy arrive. The server is started with rate limits lifted (``SALINGSAPA_REPORT_RATE_LIMIT``) so that
only the work is measured, and with a job worker (``salingsapa worker``) beside it. The bare view
(``/healthz``: one database query) on the same server is the reference.

Everything runs on the same machine, so besides throughput and latency each row records what the
machine's CPU went to, per successful request: the server (master + web workers), the PostgreSQL
backends of its database, and the load generator itself; and the load average at the start and end
(other work on the machine changes throughput, not the CPU per request). Peak RSS of one web worker
and of the job worker are sampled every 0.5 s. Results: ``bench/results/intake_load.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from bench.prodserver import HOST, ProductionServer

RESULTS = Path(__file__).resolve().parent / "results"

REPORT = {
    "reporter_role": "family",
    "in_danger_now": False,
    "narrative": "Anak saya sering dipukul oleh ayah tirinya setiap malam dan dilarang ke sekolah.",
    "violence_forms": ["fisik", "psikis"],
    "victim": {"sex": "female", "age_group": "6-12", "is_child": True},
    "kelurahan_code": "36.73.01.1001",
    "consent": {"contact_me": True, "share_with_partners": False},
    "contact": {"name": "Ibu Rina", "phone": "081234567890", "preferred_channel": "whatsapp", "safe_time": "pagi"},
}


def _one(host: str, port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - start


WRK_SCRIPT = r"""
-- one request: a complete report with a fresh Idempotency-Key (run id, thread, counter), or /healthz
-- tid is a global on purpose: setup() (main state) sets it in each thread's own state with thread:set
local kind, run, body = "report", "run", ""
local counter, n = 0, 0
tid = "0"
function setup(thread)
  counter = counter + 1
  thread:set("tid", tostring(counter))
end
function init(args)
  kind, run = args[1], args[2]
  local f = io.open(args[3], "rb"); body = f:read("*a"); f:close()
  wrk.headers["Host"] = args[4]
  wrk.headers["X-Forwarded-Proto"] = "https"
  wrk.headers["X-Forwarded-For"] = "198.18.0." .. tid
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  if kind ~= "report" then return wrk.format("GET", "/healthz", nil, nil) end
  n = n + 1
  wrk.headers["Idempotency-Key"] = run .. "-" .. tid .. "-" .. n
  return wrk.format("POST", "/api/v1/reports", nil, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, *, kind: str, clients: int, seconds: float) -> dict[str, object]:
    """One run with wrk: 2 threads, ``clients`` connections, a 60 s timeout (as the threads' client)."""
    with tempfile.TemporaryDirectory(prefix="intake-wrk-") as tmp:
        script, body = Path(tmp) / "intake.lua", Path(tmp) / "report.json"
        script.write_text(WRK_SCRIPT)
        body.write_bytes(json.dumps(REPORT).encode())
        cpu0, started = _children_cpu(), time.perf_counter()
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "--timeout", "60s", "-s", str(script),
             url, "--", kind, uuid.uuid4().hex, str(body), HOST],
            capture_output=True, text=True, timeout=seconds + 120, check=True)
        elapsed, client_cpu = time.perf_counter() - started, _children_cpu() - cpu0
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    w = json.loads(line[len("WRKJSON "):])
    errors = w["connect"] + w["read"] + w["write"] + w["status"] + w["timeout"]
    ok = max(0, w["requests"] - w["status"])
    return {
        "kind": kind, "clients": clients, "generator": "wrk", "seconds": round(elapsed, 1),
        "requests": w["requests"], "ok": ok, "errors": errors,
        "statuses": {"2xx": ok, "other": w["status"], "socket": w["connect"] + w["read"] + w["write"],
                     "timeout": w["timeout"]},
        "per_second": round(ok / (w["duration_us"] / 1e6), 1),
        "p50_ms": round(w["p50_us"] / 1000, 1), "p95_ms": round(w["p95_us"] / 1000, 1),
        "p99_ms": round(w["p99_us"] / 1000, 1), "client_cpu_s": round(client_cpu, 2),
    }


LOCUSTFILE = """
import os, uuid
from locust import FastHttpUser, constant, task

KIND, HOST = os.environ["INTAKE_KIND"], os.environ["INTAKE_HOST"]
with open(os.environ["INTAKE_BODY"], "rb") as fh:
    BODY = fh.read()


class Client(FastHttpUser):
    wait_time = constant(0)
    network_timeout = connection_timeout = 60.0

    @task
    def one(self):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.18.0.1"}
        if KIND == "report":
            headers.update({"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
            self.client.post("/api/v1/reports", data=BODY, headers=headers, name=KIND)
        else:
            self.client.get("/healthz", headers=headers, name=KIND)
"""


def run_locust(url: str, *, kind: str, clients: int, seconds: float, locust: str = "locust") -> dict[str, object]:
    """One run with locust (headless, FastHttpUser, no wait between requests): the issue's named tool."""
    import csv

    with tempfile.TemporaryDirectory(prefix="intake-locust-") as tmp:
        locustfile, body = Path(tmp) / "locustfile.py", Path(tmp) / "report.json"
        locustfile.write_text(LOCUSTFILE)
        body.write_bytes(json.dumps(REPORT).encode())
        env = {**os.environ, "INTAKE_KIND": kind, "INTAKE_HOST": HOST, "INTAKE_BODY": str(body)}
        cpu0, started = _children_cpu(), time.perf_counter()
        subprocess.run(  # noqa: S603
            [locust, "-f", str(locustfile), "--headless", "-u", str(clients), "-r", str(clients), "-t", f"{int(seconds)}s",
             "--host", url, "--csv", f"{tmp}/out", "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "60"],
            capture_output=True, text=True, timeout=seconds + 180, env=env, check=False)
        elapsed, client_cpu = time.perf_counter() - started, _children_cpu() - cpu0
        with open(f"{tmp}/out_stats.csv", newline="") as fh:
            stats = next(r for r in csv.DictReader(fh) if r["Name"] == kind)
    requests, failures = int(stats["Request Count"]), int(stats["Failure Count"])
    return {
        "kind": kind, "clients": clients, "generator": "locust", "seconds": round(elapsed, 1),
        "requests": requests, "ok": requests - failures, "errors": failures, "statuses": {},
        "per_second": round((requests - failures) / seconds, 1),
        "p50_ms": float(stats["50%"]), "p95_ms": float(stats["95%"]), "p99_ms": float(stats["99%"]),
        "client_cpu_s": round(client_cpu, 2),
    }


def run(url: str, *, kind: str, clients: int, seconds: float, server: ProductionServer | None = None,
        generator: str = "threads") -> dict[str, object]:
    """One measured run: the generator's figures plus the CPU each side used per successful request."""
    load0 = os.getloadavg()[0]
    if server:
        server.wait_idle()
    stored0 = server.reports_stored() if server and kind == "report" else None
    server_cpu0 = server.cpu_seconds() if server else 0.0
    db_pids = server.db_backend_pids() if server else []
    db_cpu0 = server.db_cpu_seconds(db_pids) if server else {}
    if server:
        server.peaks.reset()
    if generator == "wrk":
        row = run_wrk(url, kind=kind, clients=clients, seconds=seconds)
    elif generator.startswith("locust"):  # "locust" or "locust:/path/to/locust"
        row = run_locust(url, kind=kind, clients=clients, seconds=seconds, locust=generator.partition(":")[2] or "locust")
    else:
        row = run_threads(url, kind=kind, clients=clients, seconds=seconds)
    ok = int(row["ok"])  # type: ignore[call-overload]
    row["load_average"] = [round(load0, 1), round(os.getloadavg()[0], 1)]
    row["client_cpu_ms_per_ok"] = round(float(row["client_cpu_s"]) * 1000 / ok, 2) if ok else None  # type: ignore[arg-type]
    if server:
        # Requests still in flight when the generator stops (up to one per client) are finished by the server
        # after it: wait for that, and divide by the reports the database holds, not those the client saw
        # answered. On a busy machine a run completes few reports and that difference is not small.
        server.wait_idle()
        stored = server.reports_stored() if kind == "report" else None
        done = stored - stored0 if stored is not None and stored0 is not None else ok
        row["server_completed"] = done
        # server CPU (master + workers) per request: the cost that does not depend on how busy the machine
        # is; 1000 x CPUs / (server + database + generator) is what the machine could serve at most
        row["server_cpu_ms_per_ok"] = round((server.cpu_seconds() - server_cpu0) * 1000 / done, 1) if done else None
        ok = done or ok
        # backends alive at the end (the server keeps its connections for the whole run: CONN_MAX_AGE below);
        # one that was there at the start and is gone took its CPU figure with it
        alive = server.db_backend_pids()
        db_cpu = sum(max(0.0, now - db_cpu0.get(pid, 0.0)) for pid, now in server.db_cpu_seconds(alive).items())
        row["db_cpu_ms_per_ok"] = round(db_cpu * 1000 / ok, 1) if ok and alive else None
        row["db_backends_gone"] = len(set(db_pids) - set(alive))
        server.peaks.sample()
        row.update(server.peaks.as_mib())
    return row


def run_threads(url: str, *, kind: str, clients: int, seconds: float) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        base = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}
        mine: list[float] = []
        codes: dict[int, int] = {}
        while time.perf_counter() < deadline:
            if kind == "report":
                status, took = _one(host, port, "POST", "/api/v1/reports", json.dumps(REPORT).encode(), {
                    **base, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
            else:
                status, took = _one(host, port, "GET", "/healthz", None, base)
            mine.append(took)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    cpu0 = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ok_code = 201 if kind == "report" else 200
    ok = statuses.get(ok_code, 0)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "kind": kind, "clients": clients, "generator": "threads", "seconds": round(elapsed, 1),
        "requests": len(latencies), "ok": ok,
        "errors": len(latencies) - ok, "statuses": statuses, "per_second": round(ok / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
        "p95_ms": round(pct(0.95), 1), "p99_ms": round(pct(0.99), 1),
        "client_cpu_s": round(time.process_time() - cpu0, 2),
    }


def _cell(value: object) -> str:
    """A figure, or "—" where the run could not take it (SQLite has no backends; older runs kept no RSS)."""
    return "—" if value is None else str(value)


def table(rows: list[dict[str, object]]) -> str:
    out = ["| what | clients | generator | load avg | ok/s | p50 ms | p99 ms | errors | CPU ms/request: server "
           "| database | generator | peak RSS MiB: web worker | job worker |",
           "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        what = "POST /api/v1/reports" if r["kind"] == "report" else "GET /healthz"
        load = "–".join(str(x) for x in r.get("load_average", []))  # type: ignore[attr-defined]
        cells = [r.get(k) for k in ("server_cpu_ms_per_ok", "db_cpu_ms_per_ok", "client_cpu_ms_per_ok",
                                    "web_worker_rss_peak_mib", "job_worker_rss_peak_mib")]
        out.append(f"| {what} | {r['clients']} | {r.get('generator', 'threads')} | {load or '—'} | {r['per_second']} "
                   f"| {r['p50_ms']} | {r['p99_ms']} | {r['errors']} | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an already running server (else one is started)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers of the started server (default 2 x CPUs + 1)")
    parser.add_argument("--clients", default="8,16,32")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    parser.add_argument("--checkout", default=None,
                        help="serve another copy of the code (the folder holding its salingsapa/; before/after runs)")
    parser.add_argument("--legacy", action="store_true",
                        help="that copy predates 'serve --workers' (Waitress, no trusted proxies)")
    parser.add_argument("--generator", default="auto",
                        help="auto (wrk when installed: apt-get install wrk; else threads), wrk, threads, locust or "
                             "locust:/path/to/locust; several, comma-separated, to compare them on the same server")
    parser.add_argument("--kinds", default="healthz,report", help="which requests to run, in this order")
    parser.add_argument("--warmup", type=float, default=8,
                        help="seconds of each kind before measuring (not recorded): every worker imports its code "
                             "and opens its database connection on its first requests")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    generators = [g if g != "auto" else ("wrk" if shutil.which("wrk") else "threads") for g in args.generator.split(",")]

    server = None
    if not args.url:
        import sys

        workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        # rate limits lifted; database connections kept for the whole run, so that the CPU of the
        # PostgreSQL backends can be read from them (production keeps them 60 s: one reconnect a minute)
        env = {"SALINGSAPA_REPORT_RATE_LIMIT": "1000000000", "SALINGSAPA_DB_CONN_MAX_AGE": "3600"}
        if args.checkout:
            env["PYTHONPATH"] = args.checkout
        if args.legacy:  # that code trusted no proxy header under Waitress: serve it plain, unredirected
            env["SALINGSAPA_SSL_REDIRECT"] = "false"
        server = ProductionServer(workers=workers, python=sys.executable, env=env, legacy=args.legacy,
                                  job_worker=not args.legacy).start()
    url = args.url or (server.url if server else "")
    rows = []
    try:
        if args.warmup:
            for kind in args.kinds.split(","):
                run(url, kind=kind, clients=max(clients), seconds=args.warmup, server=server, generator=generators[0])
        for n in clients:
            for kind in args.kinds.split(","):
                for generator in generators:
                    row = run(url, kind=kind, clients=n, seconds=args.seconds, server=server, generator=generator)
                    if server:
                        row["server_rss_mib"] = round(server.rss() / 2**20)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        if server:
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    label = args.label or time.strftime("%Y-%m-%dT%H:%M")
    path = RESULTS / "intake_load.json"
    runs = json.loads(path.read_text()) if path.exists() else {}
    runs[label] = rows
    path.write_text(json.dumps(runs, indent=2) + "\n")
    (RESULTS / "intake_load.md").write_text(
        "\n\n".join(f"### {name}\n\n{table(r)}" for name, r in runs.items()) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
