"""``salingsapa seed-demo``: synthetic Kota Serang demo data (see ``salingsapa.demo.seed``)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from salingsapa.cases.models import Case
from salingsapa.core.dbmaint import analyze
from salingsapa.demo import seed as demo
from salingsapa.demo.awareness import seed_awareness
from salingsapa.demo.outreach import demo_visits_ensure
from salingsapa.demo.publish import publish_article_snapshot
from salingsapa.stats.management.commands.stats import rebuild_with_progress


class Command(BaseCommand):
    help = (
        "Create synthetic demo data: organisations, demo users, reports, cases, persons and incidents. "
        "Without --cases it reproduces the seed article (60 cases in 2024, 64 in January-October 2025)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=None, metavar="N",
                            help="create N cases spread over 2020-2025 instead of the article picture")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, metavar="S",
                            help=f"random seed; the same seed gives the same data (default {demo.DEFAULT_SEED})")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already holds cases")
        parser.add_argument("--workers", type=int, default=1, metavar="W",
                            help="write batches in W processes (PostgreSQL only; default 1)")
        parser.add_argument("--batch-size", type=int, default=demo.BATCH_SIZE, metavar="B",
                            help=f"cases written per transaction (default {demo.BATCH_SIZE})")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed-demo: data demo tidak boleh dibuat di lingkungan produksi (SALINGSAPA_ENV=production).")
        cases = options["cases"]
        if cases is not None and cases < 1:
            raise CommandError("--cases harus bilangan bulat positif.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size harus bilangan bulat positif.")
        self.stdout.write(demo_visits_ensure())  # upcoming mobile-counselling visits, also with --if-empty
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("Demo data: the database already holds cases; nothing to do (--if-empty).")
            return
        total = cases if cases is not None else sum(demo.ARTICLE_YEARS.values())
        columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Data demo: kasus", total=total)
            try:
                result = demo.seed_demo(cases=cases, seed=options["seed"], batch_size=options["batch_size"],
                                        progress=lambda n: progress.advance(task, n),
                                        workers=max(1, options["workers"]))
            except demo.DemoError as exc:
                raise CommandError(str(exc)) from None
        seconds = analyze()  # planner statistics for the freshly loaded tables (docs/performance.md)
        self.stdout.write(f"Planner statistics refreshed (ANALYZE) in {seconds:.1f} s.")
        started = time.perf_counter()
        rows = rebuild_with_progress(quiet=options["verbosity"] == 0)  # the rollups the statistics read
        analyze()  # and the planner's view of them
        self.stdout.write(f"Statistics rollups rebuilt ({rows} rows) in {time.perf_counter() - started:.1f} s.")
        rate = result.cases / result.seconds if result.seconds else 0
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {result.cases} cases, {result.reports} reports, {result.persons} persons "
            f"in {result.seconds:.1f} s ({rate:.0f} cases/s), seed {options['seed']}."
        ))
        if cases is None:  # the article picture: publish its Jan–Okt 2025 statistics (four eyes)
            _snapshot, message = publish_article_snapshot()
            self.stdout.write(message)
            self.stdout.write(seed_awareness())  # education articles (four eyes) and awareness events
        self.stdout.write(f"Demo logins: {demo.logins_path()} (show them with `salingsapa demo-logins`).")
