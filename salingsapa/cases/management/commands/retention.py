from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salingsapa.cases.retention import retention_run


class Command(BaseCommand):
    help = (
        "Apply the retention rules (not-violence reports after 1 year, closed cases after "
        "SALINGSAPA_RETENTION_CLOSED_CASE_YEARS, draft uploads after 24 h, expired sessions). "
        "--dry-run lists what would go: counts and record ids, never personal data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list what would be anonymised or deleted")

    def handle(self, *args: Any, **options: Any) -> None:
        dry = options["dry_run"]
        for result in retention_run(apply=not dry):
            verb = "would go" if dry else "done"
            ids = f" ids: {', '.join(str(i) for i in result.ids[:50])}{' …' if len(result.ids) > 50 else ''}" if result.ids else ""
            self.stdout.write(f"{result.rule}: {result.count} {verb}{ids}")
