"""Soak: mixed traffic against the production server for a while, 0 errors, memory reported.

    make soak                          # 10 minutes (SOAK_SECONDS=600), SOAK_CLIENTS=8
    .venv/bin/python -m bench.soak --seconds 120 --clients 8

Starts ``salingsapa serve`` in production mode (gunicorn, 2 x CPUs + 1 workers, Redis for the shared
cache, SQLite or the PostgreSQL of ``DATABASE_URL``), creates one intake officer with a TOTP device,
then runs client threads in a mix: people reporting through the JSON API; people following up
(codename sign-in on the web form, reading the thread, sending a message); staff signed in with
password + TOTP reading the dashboard, the queue, a report and the case list; public pages.
A job worker (``salingsapa worker``) runs beside the server.
Every response must have the expected status; anything else is an error. Memory (master + workers)
is sampled every 10 s: start is after a 20-second warm-up, end is at the last sample; the peak RSS of
any one web worker and of the job worker is sampled every 0.5 s (the issue's goal: < 200 MB each).
Rate limits are lifted for the run (one address sends everything). Results: ``bench/results/soak.json``.
Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path

from bench.intake_load import REPORT
from bench.prodserver import HOST, ProductionServer

RESULTS = Path(__file__).resolve().parent / "results"
STAFF_USER, STAFF_PASSWORD = "petugas-soak", "kata-sandi-soak-yang-panjang-sekali"

MAKE_STAFF = f"""
from salingsapa.accounts.models import AuthenticatorDevice, Organisation, Role, User
org, _ = Organisation.objects.get_or_create(name="UPTD PPA Kota Serang", defaults={{"short_name": "UPTD PPA",
    "kind": Organisation.Kind.UPTD_PPA}})
user = User.objects.create_user(username="{STAFF_USER}", password="{STAFF_PASSWORD}", role=Role.INTAKE_OFFICER,
    organisation=org, on_duty=True)
device = AuthenticatorDevice.objects.create(user=user, name="soak", confirmed=True)
print(device.bin_key.hex())
"""


class Browser:
    """One person's cookies (Secure cookies kept although the hop to the app is plain http)."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            head = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address, **(headers or {})}
            if self.cookies:
                head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method == "POST":
                head.setdefault("Origin", f"https://{HOST}")
                head.setdefault("Referer", f"https://{HOST}{path}")
            conn.request(method, path, body=body, headers=head)
            response = conn.getresponse()
            data = response.read()
            for cookie in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if value and "Max-Age=0" not in cookie:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def form(self, path: str, fields: dict[str, str], *, page: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import urlencode

        if page is None:
            _, _, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = {**fields, "csrfmiddlewaretoken": token.group(1).decode() if token else ""}
        return self.request("POST", path, body=urlencode(data).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})


class Soak:
    def __init__(self, server: ProductionServer, totp_key: bytes, seconds: float) -> None:
        self.server = server
        self.totp_key = totp_key
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.reports: list[tuple[str, str]] = []
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []

    def expect(self, what: str, status: int, wanted: set[int], body: bytes = b"") -> bool:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1
            if status not in wanted:
                self.errors.append(f"{what}: {status} {body[:120]!r}")
                return False
        return True

    # --- the people -----------------------------------------------------------------------
    def reporter(self, n: int) -> None:
        b = Browser(self.server.port, f"198.18.1.{n}")
        status, _, body = b.request("POST", "/api/v1/reports", body=json.dumps(REPORT).encode(), headers={
            "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        if self.expect("report (API)", status, {201}, body):
            created = json.loads(body)
            with self.lock:
                self.reports.append((created["reference"], created["codename"]))

    def follower(self, n: int) -> None:
        with self.lock:
            if not self.reports:
                return
            reference, codename = self.reports[(n * 7919 + len(self.reports)) % len(self.reports)]
        b = Browser(self.server.port, f"198.18.2.{n}")
        status, _, body = b.form("/lapor/cek/", {"reference": reference, "codename": codename})
        if not self.expect("follow-up sign-in", status, {303}, body):
            return
        status, _, page = b.request("GET", "/lapor/cek/")
        self.expect("follow-up thread", status, {200}, page)
        status, _, body = b.form("/lapor/cek/pesan/", {"body": "Ada kejadian lagi tadi malam, mohon dihubungi."},
                                 page=page)
        self.expect("follow-up message", status, {303}, body)

    def staff_login(self, n: int) -> Browser:
        from django_otp.oath import totp

        b = Browser(self.server.port, f"198.18.3.{n}")
        status, _, body = b.form("/staf/masuk/", {"username": STAFF_USER, "password": STAFF_PASSWORD})
        self.expect("staff password", status, {302}, body)
        while True:  # a TOTP code is accepted once: wait for a fresh 30-second step if another thread used this one
            step = int(time.time()) // 30
            with self.lock:
                used = getattr(self, "_steps", set())
                if step not in used:
                    used.add(step)
                    self._steps = used
                    break
            time.sleep(1)
        status, _, body = b.form("/staf/masuk/verifikasi/", {"token": f"{totp(self.totp_key):06d}"})
        self.expect("staff second factor", status, {302}, body)
        return b

    def staff(self, b: Browser) -> None:
        for path, what in (("/staf/", "staff dashboard"), ("/staf/pengaduan/", "staff queue"),
                           ("/staf/kasus/", "staff case list")):
            status, _, page = b.request("GET", path)
            self.expect(what, status, {200}, page)
            if path == "/staf/pengaduan/":
                found = re.findall(rb'href="/staf/pengaduan/(\d+)/"', page)
                if found:
                    status, _, body = b.request("GET", f"/staf/pengaduan/{found[0].decode()}/")
                    self.expect("staff report", status, {200}, body)

    def public(self, n: int) -> None:
        b = Browser(self.server.port, f"198.18.4.{n}")
        for path in ("/", "/lapor/", "/layanan/"):
            status, _, body = b.request("GET", path)
            self.expect("public page", status, {200}, body)

    def client(self, index: int) -> None:
        role = ("reporter", "follower", "staff", "reporter", "public", "follower", "reporter", "staff")[index % 8]
        session = self.staff_login(index) if role == "staff" else None
        n = 0
        while time.monotonic() < self.deadline:
            n += 1
            try:
                if role == "reporter":
                    self.reporter(n % 250 + 1)
                elif role == "follower":
                    self.follower(n % 250 + 1)
                elif role == "staff" and session is not None:
                    self.staff(session)
                else:
                    self.public(n % 250 + 1)
            except OSError as exc:
                self.expect(f"{role} connection", 0, {200}, repr(exc).encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", 8)))
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--out", default="soak.json", help="results file name under bench/results/")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.test_settings")  # for django_otp.oath only

    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    env = {"SALINGSAPA_REPORT_RATE_LIMIT": "1000000000", "SALINGSAPA_FOLLOWUP_RATE_LIMIT": "1000000000",
           "SALINGSAPA_CODENAME_RATE_LIMIT": "1000000000"}
    with ProductionServer(workers=workers, env=env, job_worker=True) as server:
        made = subprocess.run([server.python, "-m", "salingsapa", "shell", "-c", MAKE_STAFF], env=server.env,
                              capture_output=True, text=True, check=False, timeout=120, cwd=server.data_dir)
        if made.returncode:
            raise SystemExit(f"creating the soak's staff user failed:\n{made.stderr[-3000:]}")
        soak = Soak(server, bytes.fromhex(made.stdout.strip().splitlines()[-1]), args.seconds)
        threads = [threading.Thread(target=soak.client, args=(i,), daemon=True) for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        samples: list[tuple[float, int]] = []
        while any(t.is_alive() for t in threads):
            samples.append((round(time.monotonic() - started, 1), server.rss()))
            for t in threads:
                t.join(timeout=10 / len(threads))
        samples.append((round(time.monotonic() - started, 1), server.rss()))
        elapsed = time.monotonic() - started
    after_warmup = [s for s in samples if s[0] >= min(20, elapsed / 4)] or samples
    result = {
        "seconds": round(elapsed), "clients": args.clients, "workers": workers,
        "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        "requests": sum(soak.counts.values()), "by_kind": soak.counts, "errors": len(soak.errors),
        "first_errors": soak.errors[:10], "reports_created": len(soak.reports),
        "rss_start_mib": round(after_warmup[0][1] / 2**20), "rss_end_mib": round(samples[-1][1] / 2**20),
        "rss_max_mib": round(max(s[1] for s in samples) / 2**20),
        # the highest resident memory of any one web worker and of the job worker (sampled every 0.5 s)
        **server.peaks.as_mib(),
        "load_average_end": [round(x, 1) for x in os.getloadavg()],
        "rss_samples_mib": [(t, round(r / 2**20)) for t, r in samples],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_samples_mib"}, indent=2))
    return 1 if soak.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
