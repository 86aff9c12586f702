"""Writing, verifying, anchoring and reporting on the hash-chained audit log.

* Every entry's ``hash`` is a keyed HMAC over the previous hash and the entry's content.
* The head row (``AuditHead``) holds the entry count and newest hash, sealed by a keyed MAC.
* ``audit_anchor`` appends the head to a file outside the database (``SALINGSAPA_AUDIT_ANCHOR_FILE``,
  append-only, 0600); ``audit_verify`` fails when the chain is shorter than, or diverges from, the
  newest anchor. Deleting the newest entries and replaying an older head is therefore caught.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _payload(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _actor(user: Any) -> tuple[int | None, str]:
    if user is None:
        return None, "public"
    if isinstance(user, str):
        return None, user
    if not getattr(user, "is_authenticated", False):
        return None, "public"
    return user.pk, user.get_username()


def audit_log(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry. ``actor`` is a user, ``None`` (the public) or a label like ``"system:sla"``."""
    actor_id, label = _actor(actor)
    # No savepoint when the caller's transaction is open (two round trips less per audited write): an
    # error here fails the caller's whole transaction, as an unaudited write must not commit anyway.
    with transaction.atomic(savepoint=False):
        # Taking the head's row lock first makes concurrent writers queue up, so the chain never forks.
        # One statement takes the lock, counts the entry and reads the newest hash (UPDATE … RETURNING).
        head = _head_advance()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = _head_advance()
            assert head is not None
        count, last_hash = head
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor_id,
            actor_label=label[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            detail=detail or {},
            prev_hash=last_hash,
        )
        event.hash = crypto.chain_hmac(last_hash, _payload(event))
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=event.hash, mac=crypto.head_mac(count, event.hash))
    return event


def _head_advance() -> tuple[int, str] | None:
    """Lock the head row and add one to its count: (new count, newest hash), or None without a head."""
    connection = connections[router.db_for_write(AuditHead)]
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "count" = "count" + 1 WHERE "id" = 1 RETURNING "count", "last_hash"')  # noqa: S608  # the model's own table name
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


class AuditAnchorError(Exception):
    """The head cannot be anchored (it does not carry a valid MAC, or it is behind the newest anchor)."""


@dataclass(frozen=True)
class Anchor:
    count: int
    last_hash: str
    mac: str
    at: str
    line: int = 0

    @property
    def valid(self) -> bool:
        return crypto.head_mac_ok(self.count, self.last_hash, self.mac)


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def anchor_latest(path: Path | None = None) -> Anchor | None:
    """The newest anchor in the file, or None when there is none yet. A line that does not parse
    counts as an anchor that fails its MAC check (the file was altered)."""
    path = path or anchor_path()
    if not path.exists():
        return None
    latest: Anchor | None = None
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                latest = Anchor(int(data["count"]), str(data["last_hash"]), str(data["mac"]), str(data["at"]), number)
            except (ValueError, KeyError, TypeError):
                latest = Anchor(-1, "", "", "", number)
    return latest


def _head() -> tuple[int, str, str]:
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return 0, GENESIS, crypto.head_mac(0, GENESIS)
    return head.count, head.last_hash, head.mac


def audit_anchor(*, path: Path | None = None) -> tuple[Anchor, bool]:
    """Append the current head to the anchor file; returns (anchor, appended). Nothing is appended
    when the newest anchor already records this head."""
    path = path or anchor_path()
    count, last_hash, mac = _head()
    if not crypto.head_mac_ok(count, last_hash, mac):
        raise AuditAnchorError("the audit head's MAC does not match: it was rewritten; run 'audit verify'")
    latest = anchor_latest(path)
    if latest is not None and latest.valid:
        if count < latest.count:
            raise AuditAnchorError(
                f"the audit head counts {count} entries, the anchor of {latest.at} recorded {latest.count}")
        if count == latest.count:
            if last_hash != latest.last_hash:
                raise AuditAnchorError(f"the audit head diverges from the anchor of {latest.at}")
            return latest, False
    anchor = Anchor(count, last_hash, mac, timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"))
    line = json.dumps({"count": anchor.count, "last_hash": anchor.last_hash, "mac": anchor.mac, "at": anchor.at},
                      separators=(",", ":")) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor, True


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    anchor: Anchor | None = None


def audit_verify(*, progress: Any = None, anchor_file: Path | None = None) -> VerifyResult:
    """Walk the chain in order; report the first entry whose link or content does not match, then
    check the head's MAC and the newest anchor kept outside the database."""
    anchor = anchor_latest(anchor_file)
    if anchor is not None and not anchor.valid:
        return VerifyResult(False, 0, None, f"line {anchor.line} of the anchor file was altered (its MAC does not match)")
    previous = GENESIS
    checked = 0
    at_anchor = GENESIS if anchor is not None and anchor.count == 0 else None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return VerifyResult(False, checked, event.pk, "the previous entry was altered or deleted")
        if crypto.chain_hmac(previous, _payload(event)) != event.hash:
            return VerifyResult(False, checked, event.pk, "this entry was altered")
        previous = event.hash
        checked += 1
        if anchor is not None and checked == anchor.count:
            at_anchor = previous
        if progress is not None:
            progress(1)
    if anchor is not None and checked < anchor.count:
        return VerifyResult(False, checked, None,
                            f"the log holds {checked} entries but the anchor of {anchor.at} recorded {anchor.count}: "
                            "the newest entries were deleted", anchor)
    if anchor is not None and at_anchor != anchor.last_hash:
        return VerifyResult(False, checked, None,
                            f"entry {anchor.count} diverges from the anchor of {anchor.at}: the log was rewritten", anchor)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return VerifyResult(False, checked, None, "entries after the last one were deleted", anchor)
    if head is not None and head.count != checked:
        return VerifyResult(False, checked, None, f"the head counts {head.count} entries, the log holds {checked}", anchor)
    if head is not None and not crypto.head_mac_ok(head.count, head.last_hash, head.mac):
        return VerifyResult(False, checked, None, "the head's MAC does not match: the head was rewritten", anchor)
    return VerifyResult(True, checked, anchor=anchor)


def audit_report(
    *, since: dt.datetime, until: dt.datetime | None = None, username: str | None = None,
    case_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Who read or changed what since a moment, for a breach notice (UU PDP: 3 x 24 hours).

    ``case_id`` matches the case itself and every record whose audit detail names the case.
    """
    events = AuditEvent.objects.filter(at__gte=since).order_by("id")
    if until is not None:
        events = events.filter(at__lt=until)
    if username:
        events = events.filter(actor_label=username)
    if case_id is not None:
        events = events.filter(Q(object_type="case", object_id=str(case_id)) | Q(detail__case=case_id))
    return events


def audit_report_rows(events: QuerySet[AuditEvent]) -> Iterator[dict[str, Any]]:
    for event in events.iterator(chunk_size=2000):
        yield {
            "id": event.pk,
            "at": timezone.localtime(event.at).isoformat(timespec="seconds"),
            "actor": event.actor_label,
            "action": event.action,
            "object": f"{event.object_type}#{event.object_id}" if event.object_type else "",
            "detail": json.dumps(event.detail, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        }
