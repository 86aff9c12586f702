"""``salingsapa stats rebuild``: recompute the statistics rollups from the case and report tables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from salingsapa.core.dbmaint import analyze
from salingsapa.stats import rollup


class Command(BaseCommand):
    help = ("Statistics upkeep. 'rebuild': recompute the rollups (StatsFact) from the case and report tables, "
            "then refresh the planner statistics (ANALYZE). seed-demo and restore run it themselves; run it "
            "after loading rows any other way.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"], help="rebuild: recompute every rollup")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rebuild_with_progress(quiet=options["verbosity"] == 0)
        seconds = analyze()
        self.stdout.write(self.style.SUCCESS(
            f"Rollup statistik: {rows} baris dibangun ulang dalam {time.perf_counter() - started - seconds:.1f} s; "
            f"ANALYZE {seconds:.1f} s."))


def rebuild_with_progress(*, quiet: bool = False) -> int:
    """``rollup.rebuild()`` with a progress bar (one step per dimension)."""
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, transient=False, disable=quiet) as progress:
        task = progress.add_task("Rollup statistik", total=rollup.REBUILD_STEPS)
        return rollup.rebuild(progress=lambda done, total: progress.update(task, completed=done, total=total))
