from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import track

from salingsapa.cases.models import Case
from salingsapa.network.services import perpetrator_links_scan


class Command(BaseCommand):
    help = "Scan every open case for shared perpetrator identifiers (phone, NIK, social-media account)."

    def handle(self, *args: Any, **options: Any) -> None:
        cases = Case.objects.exclude(status="closed")
        found = 0
        for case in track(cases.iterator(), total=cases.count(), description="Memindai", disable=options["verbosity"] == 0):
            found += len(perpetrator_links_scan(case=case))
        self.stdout.write(f"{found} new link(s) between cases.")
