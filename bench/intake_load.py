"""Intake under load: ``POST /api/v1/reports`` vs ``GET /healthz`` on the same production server.

    .venv/bin/python -m bench.intake_load                        # starts its own server (gunicorn)
    .venv/bin/python -m bench.intake_load --clients 8,16,32 --seconds 20 --workers 5
    .venv/bin/python -m bench.intake_load --url http://127.0.0.1:8000   # an already running server

Each client is a thread with its own keep-alive-less HTTP connection per request (as phones behind a
proxy arrive), sending complete, valid reports with a fresh ``Idempotency-Key`` and, as a trusted
proxy would, ``X-Forwarded-Proto: https`` and a per-client ``X-Forwarded-For``. The server is started
with rate limits lifted (``SALINGSAPA_REPORT_RATE_LIMIT``) so that only the work is measured. The
bare view (``/healthz``: one database query) on the same server is the reference: the ratio says
what a submission costs beyond Django and the server. Results: ``bench/results/intake_load.json``
and ``.md``. The load generator runs on the same machine and takes CPU from the server; its own
share is reported (``client CPU``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
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


def run(url: str, *, kind: str, clients: int, seconds: float, server: ProductionServer | None = None) -> dict[str, object]:
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
    server_cpu0 = server.cpu_seconds() if server else 0.0
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
        "kind": kind, "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies), "ok": ok,
        "errors": len(latencies) - ok, "statuses": statuses, "per_second": round(ok / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
        "p95_ms": round(pct(0.95), 1), "p99_ms": round(pct(0.99), 1),
        "client_cpu_s": round(time.process_time() - cpu0, 1),
        # server CPU (master + workers) per successful request: the cost that does not depend on how busy
        # the machine is; 1000 x CPUs / this is what an otherwise idle machine could serve at most
        "server_cpu_ms_per_ok": round((server.cpu_seconds() - server_cpu0) * 1000 / ok, 1) if server and ok else None,
    }


def table(rows: list[dict[str, object]]) -> str:
    out = ["| what | clients | ok/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/request | client CPU s |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        what = "POST /api/v1/reports" if r["kind"] == "report" else "GET /healthz"
        out.append(f"| {what} | {r['clients']} | {r['per_second']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                   f"| {r['errors']} | {r.get('server_cpu_ms_per_ok')} | {r['client_cpu_s']} |")
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
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]

    server = None
    if not args.url:
        import os
        import sys

        workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        env = {"SALINGSAPA_REPORT_RATE_LIMIT": "1000000000"}
        if args.checkout:
            env["PYTHONPATH"] = args.checkout
        if args.legacy:  # that code trusted no proxy header under Waitress: serve it plain, unredirected
            env["SALINGSAPA_SSL_REDIRECT"] = "false"
        server = ProductionServer(workers=workers, python=sys.executable, env=env, legacy=args.legacy).start()
    url = args.url or (server.url if server else "")
    rows = []
    try:
        for n in clients:
            for kind in ("healthz", "report"):
                row = run(url, kind=kind, clients=n, seconds=args.seconds, server=server)
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
