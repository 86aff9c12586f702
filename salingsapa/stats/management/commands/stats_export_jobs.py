from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salingsapa.stats.jobs import export_jobs_run_pending


class Command(BaseCommand):
    help = "Run export jobs that are still queued (e.g. after a restart); part of `salingsapa jobs`."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{export_jobs_run_pending()} export job(s) run.")
