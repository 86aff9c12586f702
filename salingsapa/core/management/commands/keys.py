from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from rich.progress import Progress

from salingsapa.config import new_key_text
from salingsapa.core import crypto
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
        "Key tools. 'generate' prints a new 32-byte key. 'rotate' re-seals every encrypted value with the "
        "newest key of SALINGSAPA_ENCRYPTION_KEYS (put the new key first, keep the old ones until this is done)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["generate", "rotate"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self.stdout.write(new_key_text())
            return
        resealed = 0
        columns = encrypted_columns()
        with Progress(disable=options["verbosity"] == 0) as progress:
            for model, names in columns:
                task = progress.add_task(model._meta.label, total=model._default_manager.count())
                last_pk = 0
                while True:
                    batch = list(model._default_manager.filter(pk__gt=last_pk).order_by("pk")[: options["batch"]])
                    if not batch:
                        break
                    with transaction.atomic():
                        # Loading decrypted with any configured key; saving seals with the newest.
                        model._default_manager.bulk_update(batch, names)
                    resealed += len(batch)
                    last_pk = batch[-1].pk
                    progress.advance(task, len(batch))
        self.stdout.write(self.style.SUCCESS(f"Re-sealed {resealed} rows with key {crypto._ring()[0][0].hex()}."))
