from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from salingsapa.core.audit import audit_verify
from salingsapa.core.backup import BackupError, backup_restore
from salingsapa.core.events import Event, publish


class Command(BaseCommand):
    help = (
        "Restore an encrypted backup into this installation, which must be empty (migrated, nothing else). "
        "Needs SALINGSAPA_BACKUP_KEY and the same encryption and index keys as the installation backed up. "
        "Runs ANALYZE, rebuilds the statistics rollups and runs 'audit verify' afterwards."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="backup file written by 'salingsapa backup'")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        try:
            info = backup_restore(path=Path(options["path"]),
                                  progress=None if quiet else lambda msg: self.stderr.write(f"… {msg}"))
        except BackupError as exc:
            raise CommandError(f"NOT RESTORED: {exc}") from None
        publish(Event.BULK_LOADED)  # stats: the rollups are rebuilt from the restored rows
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"restored, but the audit log does not verify: {result.reason}")
        self.stdout.write(f"restored: backup of {info.created_at} ({info.vendor}), {sum(info.counts.values())} rows, "
                          f"{info.files} sealed files; audit log intact ({result.checked} entries)")
