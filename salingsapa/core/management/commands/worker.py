from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks.utils import get_random_id
from django_tasks_db.management.commands.db_worker import Worker

from salingsapa.core.jobs import (
    RoutinePeriodicRuns,
    jobs_requeue_stale,
    jobs_summary,
    periodic_enqueue_due,
    worker_beat,
    worker_gone,
)


class Command(BaseCommand):
    help = (
        "Run the background jobs (exports, notifications, and the periodic jobs: SLA deadlines, referral "
        "reminders, retention, audit anchor, evidence cleanup). Long-running by default; --burst runs "
        "everything queued (and every periodic job that is due), then exits."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="run everything queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")
        parser.add_argument("--no-periodic", action="store_true", help="do not enqueue the periodic jobs")
        parser.add_argument("--status", action="store_true", help="print task counts by status and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            for status, n in sorted(jobs_summary().items()):
                self.stdout.write(f"{status}: {n}")
            return
        # The backend's own "starting worker" line would repeat at every look at the queue.
        logging.getLogger("django_tasks_db").setLevel(logging.INFO if options["verbosity"] > 1 else logging.WARNING)
        # Each periodic job's start and success at DEBUG: the rollup flush alone would log twice a minute.
        tasks_logger = logging.getLogger("django_tasks")
        if not any(isinstance(f, RoutinePeriodicRuns) for f in tasks_logger.filters):
            tasks_logger.addFilter(RoutinePeriodicRuns())
        self.worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_id()[:8]}"
        self.stop = threading.Event()
        self.current: Worker | None = None
        stale_after = dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
        worker_beat(self.worker_id, pid=os.getpid())
        beat = threading.Thread(target=self._beat, daemon=True, name="salingsapa-worker-beat")
        beat.start()
        if not options["burst"]:
            signal.signal(signal.SIGTERM, self._shutdown)
            signal.signal(signal.SIGINT, self._shutdown)
            self.stdout.write(f"worker {self.worker_id}: waiting for jobs (Ctrl+C to stop)")
        ran = 0
        try:
            while not self.stop.is_set():
                close_old_connections()
                jobs_requeue_stale(stale_after=stale_after)
                if not options["no_periodic"]:
                    periodic_enqueue_due()
                self.current = Worker(
                    queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=self.worker_id,
                )
                self.current.run()
                ran += self.current._run_tasks
                if options["burst"]:
                    break
                self.stop.wait(max(options["interval"], 0.1))
        finally:
            self.stop.set()
            beat.join(timeout=10)
            worker_gone(self.worker_id)
        if options["burst"] and options["verbosity"] > 0:
            self.stdout.write(f"worker: {ran} job(s) run")

    def _shutdown(self, signum: int, frame: Any) -> None:
        self.stop.set()
        if self.current is not None:
            self.current.running = False  # finish the job in hand, then stop

    def _beat(self) -> None:
        every = max(settings.WORKER_STALE_SECONDS / 4, 0.5)
        try:
            while not self.stop.wait(every):
                worker_beat(self.worker_id, pid=os.getpid())
        finally:
            connection.close()
