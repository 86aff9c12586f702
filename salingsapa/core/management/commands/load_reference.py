from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.progress import Progress

from salingsapa.core.codelists import load_code_lists
from salingsapa.core.models import Code, Region
from salingsapa.core.regions import UnknownRegion, load_region_tree


class Command(BaseCommand):
    help = "Load the reference code lists and the regions of one or more provinces or kab/kota (Kemendagri codes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--region", action="append", default=[], metavar="CODE",
            help="Kemendagri code of a province or kab/kota to load, e.g. 36.73 (Kota Serang). Repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            codes = load_code_lists(Code)
        self.stdout.write(f"Code lists: {codes} entries.")
        for code in options["region"] or ["36.73"]:
            with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
                task = progress.add_task(f"Wilayah {code}", total=None)
                try:
                    with transaction.atomic():
                        rows = load_region_tree(Region, code, progress=lambda n, t=task: progress.advance(t, n))
                except UnknownRegion as exc:
                    raise CommandError(str(exc)) from None
            self.stdout.write(f"Regions under {code}: {rows} rows.")
