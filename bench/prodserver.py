"""Start the real production server (``salingsapa serve`` with ``SALINGSAPA_ENV=production``) for
tests, load runs and the soak: fresh keys, a fresh database, a free port, Redis for shared counters.

    with ProductionServer(workers=3, job_worker=True) as server:
        server.url        # http://127.0.0.1:PORT
        server.rss()      # resident memory of the master and its workers, in bytes
        server.peaks      # a PeakSampler: highest RSS of any web worker, of the job worker, while it runs
        server.db_cpu_seconds()   # CPU of the PostgreSQL backends serving this server's database

The database is a new SQLite file in a temporary data folder, or, when ``DATABASE_URL`` points at
PostgreSQL, a new database next to it (dropped afterwards). Redis: ``SALINGSAPA_BENCH_REDIS_URL``
(default ``redis://127.0.0.1:6379/2``); a fresh index key makes every run's rate-limit keys new.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOST = "salingsapa.test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available(url: str | None = None) -> bool:
    parts = urlsplit(url or os.environ.get("SALINGSAPA_BENCH_REDIS_URL", DEFAULT_REDIS))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def rss_of(pid: int) -> int:
    """Resident set size of one process, in bytes (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time of one process, in seconds (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class PeakSampler:
    """Samples resident memory every ``interval`` seconds in a thread: the highest RSS seen of the master,
    of any one web worker and of the job worker (the figures the issue's "< 200 MB each" is about)."""

    def __init__(self, server: ProductionServer, interval: float = 0.5) -> None:
        self.server, self.interval = server, interval
        self.master = self.web_worker = self.job_worker = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> PeakSampler:
        self._thread.start()
        return self

    def sample(self) -> None:
        s = self.server
        if s.process:
            self.master = max(self.master, rss_of(s.process.pid))
        self.web_worker = max([self.web_worker, *(rss_of(p) for p in s.worker_pids())])
        if s.job_process:
            self.job_worker = max(self.job_worker, rss_of(s.job_process.pid))

    def reset(self) -> None:
        self.master = self.web_worker = self.job_worker = 0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop.set()

    def as_mib(self) -> dict[str, int]:
        return {"master_rss_peak_mib": round(self.master / 2**20), "web_worker_rss_peak_mib": round(self.web_worker / 2**20),
                "job_worker_rss_peak_mib": round(self.job_worker / 2**20)}


class ProductionServer:
    def __init__(self, *, workers: int = 3, env: dict[str, str] | None = None, trusted_proxies: str = "127.0.0.1",
                 python: str = sys.executable, log: Path | None = None, legacy: bool = False,
                 job_worker: bool = False) -> None:
        self.workers = workers
        self.with_job_worker = job_worker  # also run `salingsapa worker` (background jobs) beside the server
        self.job_process: subprocess.Popen[bytes] | None = None
        self.peaks = PeakSampler(self)
        self.legacy = legacy  # an older checkout whose 'serve' is Waitress without --workers (before/after runs)
        self.extra_env = env or {}
        self.trusted_proxies = trusted_proxies
        self.python = python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = Path(tempfile.mkdtemp(prefix="salingsapa-prod-"))
        self.log = log or self.data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._pg_admin_url: str | None = None
        self._pg_name: str | None = None

    # --- environment --------------------------------------------------------------------
    def _database_url(self) -> str | None:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith(("postgres://", "postgresql://")):
            return None
        import psycopg

        parts = urlsplit(base)
        self._pg_name = f"{(parts.path.lstrip('/') or 'salingsapa')}_live_{os.getpid()}_{secrets.token_hex(3)}"
        self._pg_admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(self._pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self._pg_name}"')
        return urlunsplit(parts._replace(path=f"/{self._pg_name}"))

    def environment(self) -> dict[str, str]:
        from salingsapa.config import new_key_text

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
        env.update({
            "SALINGSAPA_ENV": "production",
            "SALINGSAPA_DATA_DIR": str(self.data_dir),
            "SALINGSAPA_SECRET_KEY": secrets.token_urlsafe(50),
            "SALINGSAPA_ENCRYPTION_KEYS": new_key_text(),
            "SALINGSAPA_INDEX_KEY": new_key_text(),
            "SALINGSAPA_ALLOWED_HOSTS": HOST,
            "SALINGSAPA_TRUSTED_PROXIES": self.trusted_proxies,
            "SALINGSAPA_REDIS_URL": os.environ.get("SALINGSAPA_BENCH_REDIS_URL", DEFAULT_REDIS),
            "SALINGSAPA_NOTIFY_TRANSPORT": "none",
        })
        database_url = self._database_url()
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["SALINGSAPA_ALLOW_SQLITE"] = "true"
        env.update(self.extra_env)
        return env

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> ProductionServer:
        self.env = self.environment()
        # Run from the data folder: with "python -m", the current folder comes before PYTHONPATH, and a
        # before/after run points PYTHONPATH at another copy of the code.
        subprocess.run([self.python, "-m", "salingsapa", "migrate", "--noinput", "-v", "0"],
                       env=self.env, check=True, timeout=600, cwd=self.data_dir)
        self.process = subprocess.Popen(  # noqa: S603
            [self.python, "-m", "salingsapa", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             *([] if self.legacy else ["--workers", str(self.workers)])],
            env=self.env, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True, cwd=self.data_dir,
        )
        if self.with_job_worker:
            self.job_process = subprocess.Popen(  # noqa: S603
                [self.python, "-m", "salingsapa", "worker", "--verbosity", "0"],
                env=self.env, stdout=open(self.data_dir / "worker.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                start_new_session=True, cwd=self.data_dir,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if self.legacy or len(self.worker_pids()) >= self.workers:
                    self.peaks.start()
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def rss(self) -> int:
        """Master plus workers, in bytes."""
        if not self.process:
            return 0
        return rss_of(self.process.pid) + sum(rss_of(p) for p in self.worker_pids())

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its current workers: steady even on a busy machine."""
        if not self.process:
            return 0.0
        return cpu_seconds_of(self.process.pid) + sum(cpu_seconds_of(p) for p in self.worker_pids())

    def wait_idle(self, timeout: float = 120) -> None:
        """Until the server's processes stop using CPU (requests a client gave up on are finished): two
        seconds in a row with under 5 ms of CPU each (a busy worker on a crowded machine still gets more)."""
        deadline = time.monotonic() + timeout
        before, quiet = self.cpu_seconds(), 0
        while time.monotonic() < deadline and quiet < 2:
            time.sleep(1.0)
            now = self.cpu_seconds()
            quiet = quiet + 1 if now - before < 0.005 else 0
            before = now

    def reports_stored(self) -> int | None:
        """Reports in this server's database (PostgreSQL only; None on SQLite)."""
        if not (self._pg_admin_url and self._pg_name):
            return None
        import psycopg

        url = urlunsplit(urlsplit(self._pg_admin_url)._replace(path=f"/{self._pg_name}"))
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM intake_report").fetchone()
        return int(row[0]) if row else 0

    def db_backend_pids(self) -> list[int]:
        """The PostgreSQL backends connected to this server's own database (none on SQLite)."""
        if not (self._pg_admin_url and self._pg_name):
            return []
        import psycopg

        with psycopg.connect(self._pg_admin_url, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self._pg_name]).fetchall()
        return [int(r[0]) for r in rows]

    def db_cpu_seconds(self, pids: list[int] | None = None) -> dict[int, float]:
        """CPU seconds used so far by each backend of this server's database (PostgreSQL on this machine;
        connections are kept open, CONN_MAX_AGE, so the same backends serve a whole run)."""
        return {pid: cpu_seconds_of(pid) for pid in (pids if pids is not None else self.db_backend_pids())}

    def stop(self) -> None:
        self.peaks.stop()
        for process in (self.job_process, self.process):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # each runs in a session (process group) of its own
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if self._pg_admin_url and self._pg_name:
            import psycopg

            with psycopg.connect(self._pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> ProductionServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
