from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salingsapa.network.services import referrals_remind_overdue


class Command(BaseCommand):
    help = "Mark referrals unanswered past their deadline and remind (run periodically; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = referrals_remind_overdue()
        self.stdout.write(f"{len(reminded)} overdue referral(s) reminded.")
