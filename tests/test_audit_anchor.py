"""The audit head's MAC and the anchors outside the database (issue 9 item 3), and the breach
report (issue 9 item 9): deleting the newest entries and rewriting the head no longer passes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from salingsapa.core import crypto, dbguard
from salingsapa.core.audit import audit_anchor, audit_log, audit_verify
from salingsapa.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(n: int, start: int = 1) -> list[AuditEvent]:
    return [audit_log(actor="system:test", action="read", object_type="case", object_id=i) for i in range(start, start + n)]


def _as_attacker(*statements: tuple[str, list]) -> None:
    """Someone with write access to the database: drop the guard, run SQL, put the guard back."""
    dbguard.remove(connection)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    dbguard.install(connection)


def _delete_newest_and_rewrite_head(events: list[AuditEvent], keep: int, *, mac: str) -> None:
    kept = events[keep - 1]
    _as_attacker(
        ("DELETE FROM core_auditevent WHERE id > %s", [kept.pk]),
        ("UPDATE core_audithead SET count = %s, last_hash = %s, mac = %s WHERE id = 1", [keep, kept.hash, mac]),
    )


def test_head_carries_a_keyed_mac():
    events = _entries(3)
    head = AuditHead.objects.get(pk=1)
    assert head.count == 3 and head.last_hash == events[-1].hash
    assert head.mac == crypto.head_mac(3, events[-1].hash)


def test_rewritten_head_without_the_key_is_detected():
    """The finding as reported: delete the newest entries and rewrite the head (plain SHA-256 as MAC)."""
    import hashlib

    events = _entries(6)
    _delete_newest_and_rewrite_head(events, 4, mac=hashlib.sha256(b"4").hexdigest())
    result = audit_verify()
    assert not result.ok and "head" in result.reason


def test_replayed_older_head_is_caught_by_the_anchor(capsys):
    """An attacker who saved an older head row (with its genuine MAC) replays it after deleting the
    newest entries. The chain and head agree; the anchor outside the database does not."""
    events = _entries(4)
    old_head = AuditHead.objects.values("count", "last_hash", "mac").get(pk=1)
    events += _entries(3, start=5)
    call_command("audit", "anchor")
    assert "anchored: 7 entries" in capsys.readouterr().out
    assert audit_verify().ok

    _delete_newest_and_rewrite_head(events, old_head["count"], mac=old_head["mac"])
    result = audit_verify()
    assert not result.ok
    assert "holds 4 entries but the anchor" in result.reason and "recorded 7" in result.reason
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", verbosity=0)
    message = str(raised.value)
    assert "\n" not in message and "the newest entries were deleted" in message


def test_rewritten_history_diverges_from_the_anchor():
    """Delete the anchored tail and write new, validly chained entries in its place (as someone
    holding the key but not the anchor file could): the count matches again, the hash does not."""
    events = _entries(5)
    audit_anchor()
    _delete_newest_and_rewrite_head(events, 3, mac=crypto.head_mac(3, events[2].hash))
    _entries(2, start=100)  # the chain grows back to 5 entries, correctly linked
    assert AuditEvent.objects.count() == 5
    result = audit_verify()
    assert not result.ok and "diverges from the anchor" in result.reason


def test_anchor_file_is_append_only_0600_and_skips_an_unchanged_head(settings):
    _entries(2)
    first, appended = audit_anchor()
    assert appended
    again, appended_again = audit_anchor()
    assert not appended_again and again.count == first.count
    _entries(1, start=3)
    audit_anchor()
    path = settings.AUDIT_ANCHOR_FILE
    lines = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    assert [line["count"] for line in lines] == [2, 3]
    assert set(lines[0]) == {"count", "last_hash", "mac", "at"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_altered_anchor_line_is_reported():
    _entries(2)
    audit_anchor()
    from django.conf import settings

    with open(settings.AUDIT_ANCHOR_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"count": 1, "last_hash": "0" * 64, "mac": "f" * 64, "at": "2026-01-01"}) + "\n")
    result = audit_verify()
    assert not result.ok and "anchor file was altered" in result.reason


def test_anchor_refuses_a_head_behind_the_newest_anchor():
    events = _entries(4)
    audit_anchor()
    old = crypto.head_mac(2, events[1].hash)
    _delete_newest_and_rewrite_head(events, 2, mac=old)
    with pytest.raises(CommandError, match="NOT ANCHORED: the audit head counts 2 entries"):
        call_command("audit", "anchor")


def test_verify_ok_names_the_anchor(capsys):
    _entries(3)
    call_command("audit", "verify", verbosity=0)
    assert "no anchor yet" in capsys.readouterr().out
    audit_anchor()
    _entries(2, start=4)  # entries after the anchor are fine
    call_command("audit", "verify", verbosity=0)
    out = capsys.readouterr().out
    assert "OK: 5 audit entries" in out and "matches the anchor" in out and "(3 entries)" in out
