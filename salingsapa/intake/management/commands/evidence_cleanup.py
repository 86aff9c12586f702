"""``salingsapa evidence-cleanup``: purge sealed files of web-report drafts that were never sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from salingsapa.intake.services import evidence_pending_purge


class Command(BaseCommand):
    help = "Delete evidence files uploaded into report drafts that were abandoned (default: older than 24 hours)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=24, help="age of a draft upload before it is purged")

    def handle(self, *args: Any, **options: Any) -> None:
        count = evidence_pending_purge(older_than=dt.timedelta(hours=max(options["hours"], 1)))
        self.stdout.write(f"{count} berkas draf yang ditinggalkan dihapus.")
