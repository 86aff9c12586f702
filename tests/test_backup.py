"""`salingsapa backup PATH` / `salingsapa restore PATH` (issue 9 item 8): an encrypted, consistent
snapshot of the database and the sealed files; restored only into an empty installation, after
which every report, case, file and audit entry is back and `audit verify` passes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import override_settings

from salingsapa.cases.models import Case
from salingsapa.core import dbguard, files
from salingsapa.core.audit import audit_anchor, audit_log, audit_verify
from salingsapa.core.backup import table_counts
from salingsapa.core.files import read_sealed_file, store_sealed_file
from salingsapa.core.models import AuditEvent
from salingsapa.intake.models import Evidence, Report
from tests.casework_helpers import make_report
from tests.stats_fixtures import make_case, wib

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "Kronologi rahasia: korban diancam tetangga"


def _records(uptd):
    report = make_report(narrative=SECRET, contact_phone="081234567890")
    data = b"%PDF-1.4 visum et repertum (uji)"
    name = store_sealed_file(data, purpose="evidence")
    Evidence.objects.create(report=report, storage_name=name, content_type="application/pdf", size=len(data),
                            sha256="0" * 64, uploaded_at=report.received_at)
    case = make_case(uptd, wib(2025, 2, 3), forms=("seksual",))
    for i in range(5):
        audit_log(actor="system:test", action="read", object_type="case", object_id=case.pk, detail={"i": i})
    audit_anchor()
    return report, case, name, data


def _wipe_installation():
    """What a new, empty installation looks like: migrated tables, no records, no files, no anchors."""
    dbguard.remove(connection)
    call_command("flush", "--noinput", verbosity=0)
    dbguard.install(connection)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    for name in list(files.walk()):  # the file storage, wherever it is
        files.delete_sealed_file(name)
    Path(settings.AUDIT_ANCHOR_FILE).unlink(missing_ok=True)


def test_round_trip_restores_every_record_file_and_audit_entry(uptd, tmp_path, capsys):
    report, case, storage_name, data = _records(uptd)
    before = table_counts()
    audit_entries = list(AuditEvent.objects.order_by("id").values_list("hash", flat=True))
    target = tmp_path / "backups" / "salingsapa.ssbk"

    call_command("backup", str(target), verbosity=0)
    assert "backup written" in capsys.readouterr().out
    blob = target.read_bytes()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    for plain in (b"SQLite format 3", b"PGDMP", b"ustar", SECRET.encode(), b"manifest"):
        assert plain not in blob  # sealed as a whole

    with pytest.raises(CommandError, match="NOT RESTORED: this installation is not empty"):
        call_command("restore", str(target), verbosity=0)

    _wipe_installation()
    assert not Report.objects.exists() and not AuditEvent.objects.exists()
    call_command("restore", str(target), verbosity=0)
    assert "audit log intact" in capsys.readouterr().out

    assert table_counts() == before
    assert list(AuditEvent.objects.order_by("id").values_list("hash", flat=True)) == audit_entries
    assert Report.objects.get(pk=report.pk).narrative == SECRET  # decrypts with the same keys
    assert Case.objects.get(pk=case.pk).number == case.number
    evidence = Evidence.objects.get(report_id=report.pk)
    assert read_sealed_file(evidence.storage_name, purpose="evidence") == data
    result = audit_verify()
    assert result.ok and result.anchor is not None and result.anchor.count == len(audit_entries)
    with connection.cursor() as cursor:  # ANALYZE ran: the planner has statistics for the restored tables
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'core_auditevent'")
            assert cursor.fetchone()[0] >= 1
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'core_auditevent'")
            assert cursor.fetchone()[0] == len(audit_entries)


def test_tampered_or_foreign_backup_is_refused(uptd, tmp_path, settings):
    _records(uptd)
    target = tmp_path / "b.ssbk"
    call_command("backup", str(target), verbosity=0)
    _wipe_installation()
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (tmp_path / "bad.ssbk").write_bytes(bytes(blob))
    with pytest.raises(CommandError, match="cannot open the backup: backup was altered"):
        call_command("restore", str(tmp_path / "bad.ssbk"), verbosity=0)
    (tmp_path / "short.ssbk").write_bytes(target.read_bytes()[:-100])
    with pytest.raises(CommandError, match="cannot open the backup"):
        call_command("restore", str(tmp_path / "short.ssbk"), verbosity=0)
    settings.BACKUP_KEY = os.urandom(32)
    with pytest.raises(CommandError, match="sealed with another backup key"):
        call_command("restore", str(target), verbosity=0)
    assert not Report.objects.exists()  # nothing half-restored


def test_backup_without_a_key_says_so_in_one_line(tmp_path, settings):
    settings.BACKUP_KEY = None
    with pytest.raises(CommandError, match="SALINGSAPA_BACKUP_KEY: not set"):
        call_command("backup", str(tmp_path / "x.ssbk"), verbosity=0)
    assert not (tmp_path / "x.ssbk").exists()


def test_round_trip_with_the_files_in_an_object_store(uptd, tmp_path):
    """The same through an in-memory storage standing in for S3-compatible object storage: the backup
    lists and reads the files through the storage API and the restore writes them back there."""
    memory = {**settings.STORAGES, "sealed": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=memory):
        report, _case, storage_name, data = _records(uptd)
        assert not (Path(settings.MEDIA_ROOT) / "sealed").exists()  # nothing on disk
        stored = files.raw_read(storage_name)
        target = tmp_path / "salingsapa.ssbk"
        call_command("backup", str(target), verbosity=0)
        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", str(target), verbosity=0)
        _wipe_installation()
        assert list(files.walk()) == []
        call_command("restore", str(target), verbosity=0)
        assert list(files.walk()) == [storage_name]
        assert files.raw_read(storage_name) == stored  # the same ciphertext, never unsealed on the way
        evidence = Evidence.objects.get(report_id=report.pk)
        assert read_sealed_file(evidence.storage_name, purpose="evidence") == data
