from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import Progress

from salingsapa.core.audit import (
    AuditAnchorError,
    audit_anchor,
    audit_log,
    audit_report,
    audit_report_rows,
    audit_verify,
)
from salingsapa.core.models import AuditEvent


def _date(text: str) -> dt.datetime:
    """A date (YYYY-MM-DD, midnight Asia/Jakarta) or an ISO date-time."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since/--until: expected YYYY-MM-DD or an ISO date-time, got {text!r}") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' walks the hash chain, checks the head's MAC and the newest anchor; "
        "'anchor' appends the head to the anchor file outside the database; "
        "'report --since DATE [--user U] [--case N]' lists who read or changed what (breach notice)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "anchor", "report"])
        parser.add_argument("--since", help="report: from this date (YYYY-MM-DD, Asia/Jakarta) or ISO date-time")
        parser.add_argument("--until", help="report: before this date or date-time")
        parser.add_argument("--user", help="report: only this username (or a label such as public, system:sla)")
        parser.add_argument("--case", help="report: only this case (number like SRG-2025-0064, or its id)")
        parser.add_argument("--format", choices=["text", "csv"], default="text", help="report: output format")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        total = AuditEvent.objects.count()
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Memeriksa log audit", total=total)
            result = audit_verify(progress=lambda n: progress.advance(task, n))
        if result.ok:
            anchored = (f"; matches the anchor of {result.anchor.at} ({result.anchor.count} entries)"
                        if result.anchor else "; no anchor yet (run 'salingsapa audit anchor')")
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} audit entries, chain intact{anchored}."))
            return
        where = f"entry #{result.broken_at}" if result.broken_at is not None else "end of log"
        raise CommandError(f"BROKEN at {where}: {result.reason} ({result.checked} entries verified before it).")

    def _anchor(self, options: dict[str, Any]) -> None:
        try:
            anchor, appended = audit_anchor()
        except AuditAnchorError as exc:
            raise CommandError(f"NOT ANCHORED: {exc}") from None
        verb = "anchored" if appended else "already anchored"
        self.stdout.write(f"{verb}: {anchor.count} entries, head {anchor.last_hash[:16]}…, at {anchor.at}")

    def _case_id(self, value: str) -> int:
        if value.isdigit():
            return int(value)
        case = apps.get_model("cases", "Case").objects.filter(number=value).values_list("pk", flat=True).first()
        if case is None:
            raise CommandError(f"--case: no case numbered {value!r}")
        return int(case)

    def _report(self, options: dict[str, Any]) -> None:
        if not options["since"]:
            raise CommandError("report: --since DATE is required")
        since = _date(options["since"])
        until = _date(options["until"]) if options["until"] else None
        case_id = self._case_id(options["case"]) if options["case"] else None
        events = audit_report(since=since, until=until, username=options["user"], case_id=case_id)
        fields = ["id", "at", "actor", "action", "object", "detail"]
        if options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in audit_report_rows(events):
                writer.writerow(row)
        else:
            self._report_text(events, since)
        # Producing the report is itself recorded: who looked at the log for which window.
        audit_log(actor="system:cli", action="export", object_type="audit.report",
                  detail={"since": since.isoformat(), "user": bool(options["user"]), "case": case_id})

    def _report_text(self, events: Any, since: dt.datetime) -> None:
        actors: dict[str, int] = {}
        count = 0
        for row in audit_report_rows(events):
            count += 1
            actors[row["actor"]] = actors.get(row["actor"], 0) + 1
            self.stdout.write(f"{row['id']}\t{row['at']}\t{row['actor']}\t{row['action']}\t{row['object']}\t{row['detail']}")
        self.stdout.write(f"{count} entries since {timezone.localtime(since):%Y-%m-%d %H:%M} by {len(actors)} actors: "
                          + ", ".join(f"{a} ({n})" for a, n in sorted(actors.items(), key=lambda kv: -kv[1])))
