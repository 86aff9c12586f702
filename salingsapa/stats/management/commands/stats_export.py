from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from salingsapa.core.dbrouter import replica_reads
from salingsapa.stats.engine import FilterError, StatsFilter
from salingsapa.stats.exports import FORMATS, KINDS, export_count, export_run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"tanggal tidak valid: {value!r} (contoh 2025-01-31)") from None


class Command(BaseCommand):
    help = (
        "Ekspor data kasus: --kind simfoni (data pribadi, ZIP AES terenkripsi, kata sandi ditampilkan sekali) "
        "atau --kind research (tanpa identitas). Memerlukan akun supervisor (--user)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", choices=sorted(KINDS), required=True)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="xlsx")
        parser.add_argument("--from", dest="start", required=True, help="tanggal awal (WIB), mis. 2025-01-01")
        parser.add_argument("--to", dest="end", required=True, help="tanggal akhir (WIB), mis. 2025-10-31")
        parser.add_argument("--user", required=True, help="nama pengguna supervisor yang bertanggung jawab")
        parser.add_argument("--output", "-o", help="berkas tujuan (bawaan: nama otomatis di folder ini)")

    @replica_reads
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            flt = StatsFilter(start=_date(options["start"]), end=_date(options["end"]))
        except FilterError as exc:
            raise CommandError(str(exc)) from None
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("pengguna tidak ditemukan atau tidak aktif")
        total = export_count(flt)
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Mengekspor", total=total)
            try:
                result = export_run(user=user, kind=options["kind"], fmt=options["fmt"], flt=flt,
                                    progress=lambda n: progress.advance(task, n))
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        out = Path(options["output"] or result.filename)
        out.write_bytes(result.content)
        out.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"{out}: {result.rows} baris"))
        if result.password:
            self.stdout.write(f"Kata sandi (hanya ditampilkan sekali): {result.password}")
