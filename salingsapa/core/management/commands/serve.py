"""``salingsapa serve``: gunicorn with several worker processes in production, Waitress for the demo.

Production (``SALINGSAPA_ENV=production``) runs gunicorn's pre-fork server: ``--workers`` processes
(default 2 × CPUs + 1), each handling one request at a time, behind a TLS reverse proxy that buffers
slow clients (docs/operations.md). Waitress (one process, threads) stays for ``make demo`` and for
Windows, where gunicorn does not run. Either way the app's own edge middleware (core/edge.py)
decides which proxy headers to believe; the servers are told to believe none themselves.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def _shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return "locmem" not in backend.lower() and "dummy" not in backend.lower()


class Command(BaseCommand):
    help = "Serve the app: gunicorn (several processes) in production, Waitress in development and on Windows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default="auto",
                            help="auto: gunicorn in production (not on Windows), otherwise Waitress")
        parser.add_argument("--workers", type=int, default=0,
                            help="gunicorn worker processes (default 2 x CPUs + 1)")
        parser.add_argument("--threads", type=int, default=8, help="Waitress threads")
        parser.add_argument("--timeout", type=int, default=30, help="gunicorn: seconds before a stuck worker is restarted")

    def handle(self, *args: Any, **options: Any) -> None:
        server = options["server"]
        if server == "auto":
            server = "gunicorn" if settings.PRODUCTION and sys.platform != "win32" else "waitress"
        if server == "gunicorn":
            self._gunicorn(options)
        else:
            self._waitress(options)

    def _waitress(self, options: dict[str, Any]) -> None:
        from waitress import serve

        from salingsapa.wsgi import application

        self.stdout.write(f"Saling Sapa: http://{options['host']}:{options['port']}/  (Waitress; Ctrl+C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"],
              ident="salingsapa", max_request_body_size=settings.REQUEST_MAX_BYTES,
              trusted_proxy=None, clear_untrusted_proxy_headers=False)

    def _gunicorn(self, options: dict[str, Any]) -> None:
        try:
            from gunicorn.app.base import BaseApplication
        except ImportError:
            raise CommandError("gunicorn is not installed (it does not run on Windows): use --server waitress") from None

        from salingsapa.wsgi import application

        workers = options["workers"] or default_workers()
        if workers > 1 and not _shared_cache():
            # Rate limits are database rows and hold across processes either way; the cache is what is
            # not shared: an edit seen by one worker leaves the statistics cached by the others stale.
            if settings.PRODUCTION:
                raise CommandError("SALINGSAPA_REDIS_URL: required with several workers (the statistics cache "
                                   "must be shared by all processes), or use --workers 1")
            self.stderr.write("warning: without SALINGSAPA_REDIS_URL each worker keeps its own statistics cache "
                              "(figures may lag an edit by up to SALINGSAPA_STATS_CACHE_SECONDS); "
                              "rate limits are shared database rows either way")
        config = {
            "bind": f"{options['host']}:{options['port']}",
            "workers": workers,
            "worker_class": "sync",  # one request per process: the proxy in front buffers slow clients
            "timeout": options["timeout"],
            "graceful_timeout": 20,
            "keepalive": 2,
            # The app's edge middleware alone decides which forwarded headers to believe.
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "limit_request_line": 4094,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
            "accesslog": None,  # addresses are personal data; errors still go to stderr
            "errorlog": "-",
            "proc_name": "salingsapa",
        }

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        connections.close_all()  # no database connection may cross the fork into the workers
        self.stdout.write(f"Saling Sapa: http://{options['host']}:{options['port']}/  "
                          f"(gunicorn, {workers} workers; Ctrl+C to stop)")
        self.stdout.flush()
        Server().run()  # background jobs run in 'salingsapa worker', a process of its own
