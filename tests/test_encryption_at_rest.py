"""A known victim name and narrative never appear in plaintext in the database files or a pg_dump."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from salingsapa.cases.models import Case, CasePerson, Person
from salingsapa.core.identifiers import identifier_index, normalise_identifier
from salingsapa.intake.models import Report, ReportIdentifier

NAME = "Nurhasanah Binti Sulaiman Zxq"
NARRATIVE = "Kronologi-unik-9f3a: korban dihubungi lewat Instagram oleh pelaku"
PHONE = "0812-7777-1234"
HANDLE = "pelaku_unik_9f3a"


def _make_records(uptd):
    now = timezone.now()
    report = Report.objects.create(
        reference="LP-TEST0001", channel="web", received_at=now, reporter_role="victim", narrative=NARRATIVE,
        violence_forms=["seksual"], victim_sex="female", victim_age_group="13-17", victim_is_child=True,
        contact_name=NAME, contact_phone=PHONE,
        contact_phone_index=identifier_index(*normalise_identifier("phone", PHONE)),
    )
    kind, value = normalise_identifier("instagram", "@" + HANDLE)
    ReportIdentifier.objects.create(report=report, kind=kind, value=value, value_index=identifier_index(kind, value))
    case = Case.objects.create(
        number="SRG-2025-9999", year=2025, sequence=9999, organisation=uptd, reported_at=now, opened_at=now,
        summary=NARRATIVE,
    )
    person = Person.objects.create(full_name=NAME, phone=PHONE, created_at=now)
    CasePerson.objects.create(case=case, person=person, role="victim", age_group="13-17", is_child=True)
    return report, person


def _secrets() -> list[bytes]:
    return [s.encode() for s in (NAME, "Nurhasanah", NARRATIVE, "Kronologi-unik-9f3a", "7777-1234", "87771234", HANDLE)]


@pytest.mark.django_db(transaction=True)
def test_values_read_back_decrypted(uptd):
    report, person = _make_records(uptd)
    assert Report.objects.get(pk=report.pk).narrative == NARRATIVE
    assert Person.objects.get(pk=person.pk).full_name == NAME
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM intake_report WHERE id = %s", [report.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("s1:") and NARRATIVE not in stored


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_sqlite_files(uptd):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only check; the PostgreSQL run checks pg_dump")
    _make_records(uptd)
    db_path = Path(connection.settings_dict["NAME"])
    blobs = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert len(blobs) > 10_000
    with connection.cursor() as cursor:  # fold the WAL in too, and check again
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs += db_path.read_bytes()
    for secret in _secrets():
        assert secret not in blobs, f"plaintext {secret!r} found in the SQLite file"


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_pg_dump(uptd):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only check; the SQLite run checks the database file")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for this check"
    _make_records(uptd)
    cfg = connection.settings_dict
    cmd = [pg_dump, "--data-only", "-h", cfg.get("HOST") or "127.0.0.1", "-p", str(cfg.get("PORT") or 5432),
           "-U", cfg.get("USER") or "postgres", cfg["NAME"]]
    env = {"PGPASSWORD": cfg.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    dump = subprocess.run(cmd, capture_output=True, check=True, env=env, timeout=120).stdout
    assert b"SRG-2025-9999" in dump  # the dump holds our rows
    for secret in _secrets():
        assert secret not in dump, f"plaintext {secret!r} found in pg_dump"
