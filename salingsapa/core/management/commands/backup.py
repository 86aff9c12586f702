from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from salingsapa.core.backup import BackupError, backup_create
from salingsapa.core.crypto import CryptoError


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (database snapshot + sealed files + audit anchors) to PATH, "
        "sealed with SALINGSAPA_BACKUP_KEY. Safe while the service runs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="file to write, e.g. /srv/backup/salingsapa-2026-12-01.ssbk")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        try:
            info = backup_create(path=Path(options["path"]),
                                 progress=None if quiet else lambda msg: self.stderr.write(f"… {msg}"))
        except (BackupError, CryptoError) as exc:
            raise CommandError(str(exc)) from None
        total = sum(info.counts.values())
        self.stdout.write(f"backup written: {info.path} ({info.size} bytes, {info.vendor}, {total} rows, "
                          f"{info.files} sealed files, {info.created_at})")
