"""The hash-chained, append-only audit log and `salingsapa audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from salingsapa.core import dbguard
from salingsapa.core.audit import audit_log, audit_verify
from salingsapa.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(n=5):
    return [audit_log(actor="system:test", action="read", object_type="case", object_id=i) for i in range(1, n + 1)]


def _bypass_triggers(sql: str, params: list) -> None:
    """Simulate someone with database access rewriting history: drop the guard, edit, restore the guard."""
    dbguard.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    dbguard.install(connection)


def test_entries_chain_to_previous_hash():
    events = _entries(3)
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify().ok


def test_verify_command_reports_ok(capsys):
    _entries(4)
    call_command("audit", "verify", verbosity=0)
    assert "chain intact" in capsys.readouterr().out


def test_update_and_delete_are_refused_by_the_database():
    event = _entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="create")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_altered_row_is_reported_with_its_id():
    events = _entries(5)
    _bypass_triggers("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["999", events[2].pk])
    result = audit_verify()
    assert not result.ok and result.broken_at == events[2].pk and result.checked == 2
    with pytest.raises(CommandError, match=f"BROKEN at entry #{events[2].pk}"):
        call_command("audit", "verify", verbosity=0)


def test_deleted_row_breaks_the_next_link():
    events = _entries(5)
    _bypass_triggers("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    result = audit_verify()
    assert not result.ok and result.broken_at == events[2].pk


def test_deleted_last_row_is_detected():
    events = _entries(3)
    _bypass_triggers("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
    result = audit_verify()
    assert not result.ok and "deleted" in result.reason


def test_recomputed_hash_without_the_key_is_detected():
    """Rewriting a row and its plain SHA-256 does not help: the chain is keyed (HMAC)."""
    import hashlib

    events = _entries(2)
    forged = hashlib.sha256(b"forged").hexdigest()
    _bypass_triggers("UPDATE core_auditevent SET hash = %s WHERE id = %s", [forged, events[1].pk])
    assert not audit_verify().ok
