from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.progress import Progress

from salingsapa.config import new_key_text
from salingsapa.core import crypto, files
from salingsapa.core.audit import audit_log
from salingsapa.core.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[Any, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = (
        "Key tools. 'generate' prints a new 32-byte key. 'rotate' re-seals every encrypted value and every "
        "stored sealed file (evidence, case documents, awareness files, exports waiting for download) with the "
        "newest key of SALINGSAPA_ENCRYPTION_KEYS (put the new key first, keep the old ones until this is done). "
        "An interrupted rotation is simply run again: files already sealed with the newest key are skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["generate", "rotate"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self.stdout.write(new_key_text())
            return
        key_id = crypto._ring()[0][0].hex()
        resealed = 0
        tallies = {alias: files.ResealTally() for alias in files.FILE_PURPOSES}
        finished = False
        try:
            with Progress(disable=options["verbosity"] == 0) as progress:
                resealed = self._rows(progress, options["batch"])
                for alias, tally in tallies.items():
                    self._files(progress, alias, tally)
            finished = True
        finally:
            # one entry per run, also for a run cut short (what it had done by then)
            audit_log(actor="system:keys-rotate", action="update", object_type="core.keys", object_id=key_id,
                      detail={"rows": resealed, "finished": finished, "files": {
                          alias: {"resealed": t.resealed, "current": t.current, "gone": t.gone,
                                  "unreadable": len(t.unreadable)} for alias, t in tallies.items()}})
        done = ", ".join(f"{alias}: {t.resealed} re-sealed, {t.current} already current"
                         for alias, t in tallies.items())
        self.stdout.write(self.style.SUCCESS(f"Re-sealed {resealed} rows with key {key_id}. Files: {done}."))
        unreadable = [f"{alias}/{name}" for alias, t in tallies.items() for name in t.unreadable]
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} stored file(s) could not be opened with any configured key and purpose "
                f"(keep the old keys; first: {', '.join(unreadable[:5])})")

    def _rows(self, progress: Progress, batch_size: int) -> int:
        resealed = 0
        for model, names in encrypted_columns():
            task = progress.add_task(model._meta.label, total=model._default_manager.count())
            last_pk = 0
            while True:
                batch = list(model._default_manager.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    # Loading decrypted with any configured key; saving seals with the newest.
                    model._default_manager.bulk_update(batch, names)
                resealed += len(batch)
                last_pk = batch[-1].pk
                progress.advance(task, len(batch))
        return resealed

    def _files(self, progress: Progress, alias: str, tally: files.ResealTally) -> None:
        """One file at a time: each is replaced in one step, so a cut leaves every file openable."""
        total = sum(1 for _ in files.walk(alias))
        task = progress.add_task(f"files: {alias}", total=total)
        for name in files.walk(alias):
            tally.add(files.reseal_file(name, alias=alias), name)
            progress.advance(task)
