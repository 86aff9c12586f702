from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from salingsapa.core.audit import audit_verify
from salingsapa.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and reports the first broken link."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Memeriksa log audit", total=total)
            result = audit_verify(progress=lambda n: progress.advance(task, n))
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} audit entries, chain intact."))
            return
        where = f"entry #{result.broken_at}" if result.broken_at is not None else "end of log"
        raise CommandError(f"BROKEN at {where}: {result.reason} ({result.checked} entries verified before it).")
