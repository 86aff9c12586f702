from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salingsapa.cases.services import deadlines_ensure_missing, deadlines_escalate


class Command(BaseCommand):
    help = (
        "Escalate overdue SLA deadlines (first contact, UU TPKS Pasal 41) to the supervisors: one audit entry "
        "and one alert per supervisor per deadline. Idempotent: run it every few minutes (cron/systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = deadlines_ensure_missing()
        escalated = deadlines_escalate()
        self.stdout.write(f"sla-escalate: {escalated} deadline(s) escalated, {created} missing clock(s) created")
