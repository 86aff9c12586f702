from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

# The periodic jobs, in the order they run. Each is idempotent and safe to run often.
JOBS = ["sla_escalate", "referrals_remind", "evidence_cleanup", "stats_export_jobs"]


class Command(BaseCommand):
    help = (
        "Run the periodic jobs once (SLA escalation, referral reminders, abandoned-upload cleanup), "
        "or forever with --loop SECONDS. Use cron or a systemd timer in production; --loop for the demo."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="repeat every SECONDS (>= 10)")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["loop"]
        while True:
            for name in JOBS:
                try:
                    call_command(name, stdout=self.stdout, stderr=self.stderr)
                except Exception as exc:  # one failing job must not stop the others; the error is reported
                    self.stderr.write(f"job {name} failed: {type(exc).__name__}: {exc}")
            if every <= 0:
                return
            close_old_connections()
            time.sleep(max(every, 10))
