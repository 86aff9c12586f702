"""Outgrowing one machine (issue 14 item 5): the read-replica router and sealed files through Django's
storage API (the disk, and an in-memory store standing in for S3-compatible object storage)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from salingsapa.cases.models import Case
from salingsapa.core import crypto, files
from salingsapa.core.dbrouter import replica_alias, replica_reads
from salingsapa.core.models import AuditEvent
from salingsapa.stats import exports, services
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.jobs import export_job_run
from salingsapa.stats.models import ExportJob, PublishedSnapshot
from tests.casework_helpers import verified_client
from tests.stats_fixtures import make_case, wib

BOTH = ["default", "replica"]
PERIOD = StatsFilter(start=wib(2025, 1, 1).date(), end=wib(2025, 10, 31).date())


class Queries:
    """The queries each alias ran inside the block."""

    def __enter__(self) -> Queries:
        self._ctx = {alias: CaptureQueriesContext(connections[alias]) for alias in BOTH}
        for ctx in self._ctx.values():
            ctx.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for ctx in self._ctx.values():
            ctx.__exit__(*exc)

    def sql(self, alias: str) -> list[str]:
        return [q["sql"] for q in self._ctx[alias].captured_queries]


# --- the router --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_a_replica_nothing_is_routed(uptd):
    make_case(uptd, wib(2025, 2, 3))
    with Queries() as q, replica_reads():
        assert replica_alias() is None
        assert Case.objects.count() == 1
    assert q.sql("replica") == [] and len(q.sql("default")) == 1


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(REPLICA_DATABASE="replica")
def test_read_only_work_reads_from_the_replica_and_writes_to_the_primary(uptd):
    make_case(uptd, wib(2025, 2, 3))
    with Queries() as q:
        assert Case.objects.count() == 1  # outside read-only work: the primary
    assert q.sql("replica") == []
    with Queries() as q, replica_reads():
        assert Case.objects.count() == 1  # the mirror reads the same database
        Case.objects.update(status="closed")  # a write: the primary
    assert len(q.sql("replica")) == 1 and "COUNT" in q.sql("replica")[0].upper()
    assert len(q.sql("default")) == 1 and q.sql("default")[0].upper().startswith("UPDATE")


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(REPLICA_DATABASE="replica")
def test_reads_inside_a_transaction_stay_on_the_primary(uptd):
    make_case(uptd, wib(2025, 2, 3))
    with Queries() as q, replica_reads(), transaction.atomic():
        assert replica_alias() is None
        list(Case.objects.select_for_update().all())  # a replica would refuse FOR UPDATE
        assert Case.objects.count() == 1
    assert q.sql("replica") == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(REPLICA_DATABASE="replica")
def test_the_dashboard_reads_from_the_replica(uptd, supervisor):
    make_case(uptd, wib(2025, 2, 3))
    client = verified_client(supervisor)
    with Queries() as q:
        response = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31"})
    assert response.status_code == 200
    assert any("cases_case" in s for s in q.sql("replica"))
    # the session and the sign-in checks are not read-only work: the primary
    assert any("django_session" in s for s in q.sql("default"))
    assert not any("django_session" in s for s in q.sql("replica"))


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(REPLICA_DATABASE="replica")
def test_a_snapshot_is_prepared_from_the_replica_and_stored_on_the_primary(uptd, case_manager):
    for day in range(1, 8):
        make_case(uptd, wib(2025, 2, day))
    with Queries() as q:
        snap = services.snapshot_prepare(user=case_manager, start=PERIOD.start, end=PERIOD.end)
    assert snap.data["headline"]["cases"] == 7
    # the statistics (the case counts) and the published snapshots for the differencing check: the replica
    assert any("cases_case" in s for s in q.sql("replica"))
    assert not any("cases_case" in s for s in q.sql("default"))
    # the snapshot row and its audit entry: the primary
    assert any(s.upper().startswith("INSERT") and "stats_publishedsnapshot" in s for s in q.sql("default"))
    assert any("core_auditevent" in s for s in q.sql("default"))
    assert not any(s.upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in q.sql("replica"))
    assert PublishedSnapshot.objects.filter(pk=snap.pk).exists()


@pytest.mark.django_db(transaction=True, databases=BOTH)
@override_settings(REPLICA_DATABASE="replica")
def test_an_export_job_reads_from_the_replica_and_records_on_the_primary(uptd, supervisor):
    make_case(uptd, wib(2025, 2, 3))
    job = ExportJob.objects.create(requested_by=supervisor, kind="research", fmt="csv",
                                   start=PERIOD.start, end=PERIOD.end, created_at=wib(2025, 11, 1))
    with Queries() as q:
        export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.rows_total == 1, job.error
    assert any("cases_case" in s for s in q.sql("replica"))
    assert not any(s.upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in q.sql("replica"))
    assert not any("FOR UPDATE" in s.upper() for s in q.sql("replica"))
    assert AuditEvent.objects.filter(action="export", object_type="stats.export").count() == 1
    assert exports.take(job.token) is not None


def test_migrations_stay_on_the_primary():
    from salingsapa.core.dbrouter import ReplicaRouter

    router = ReplicaRouter()
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate("replica", "cases") is False
    assert router.db_for_write(Case) == "default"


def _settings_in_a_process(env_extra: dict[str, str], tmp_path, expression: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SALINGSAPA_", "DATABASE_", "DJANGO_SETTINGS_MODULE"))}
    env.update({"SALINGSAPA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "salingsapa.settings", **env_extra})
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({expression}, default=str))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_database_replica_url_adds_the_replica_alias(tmp_path):
    run = _settings_in_a_process(
        {"DATABASE_URL": "postgres://app@10.0.0.1:5432/ss", "DATABASE_REPLICA_URL": "postgres://ro@10.0.0.2:5432/ss"},
        tmp_path, "[settings.REPLICA_DATABASE, settings.DATABASES['replica']['HOST'], "
                  "settings.DATABASES['replica']['TEST']['MIRROR']]")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == ["replica", "10.0.0.2", "default"]
    alone = _settings_in_a_process({"DATABASE_REPLICA_URL": "postgres://ro@10.0.0.2:5432/ss"}, tmp_path, "1")
    assert alone.returncode != 0 and "DATABASE_REPLICA_URL" in alone.stderr


# --- sealed files through the storage API ------------------------------------------------------

MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "sealed": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
SECRET = b"%PDF-1.4 visum et repertum: Siti Rahasia, NIK 3673010101010001"


def _round_trip() -> bytes:
    name = files.store_sealed_file(SECRET, purpose="evidence")
    assert list(files.walk()) == [name]
    stored = files.raw_read(name)
    assert b"Siti" not in stored and b"3673010101010001" not in stored  # only ciphertext reaches the store
    assert crypto.unseal_bytes(stored, purpose="file:evidence") == SECRET
    assert files.read_sealed_file(name, purpose="evidence") == SECRET
    with pytest.raises(crypto.CryptoError):
        files.read_sealed_file(name, purpose="case-document")  # the purpose is bound into the seal
    files.delete_sealed_file(name)
    with pytest.raises(FileNotFoundError):
        files.read_sealed_file(name, purpose="evidence")
    files.delete_sealed_file(name)  # twice is fine
    with pytest.raises(FileNotFoundError):
        files.read_sealed_file("../../etc/passwd", purpose="evidence")
    return stored


def test_sealed_files_on_disk(settings):
    stored = _round_trip()
    name = files.store_sealed_file(SECRET, purpose="evidence")
    path = settings.MEDIA_ROOT / "sealed" / name
    assert path.read_bytes() != stored  # a fresh nonce per file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not list((settings.MEDIA_ROOT / "sealed").rglob("*.tmp"))


def test_sealed_files_in_an_object_store_through_the_same_api():
    with override_settings(STORAGES=MEMORY):
        assert isinstance(storages["sealed"], InMemoryStorage)
        _round_trip()


@pytest.mark.django_db
def test_exports_wait_sealed_in_the_store(uptd, supervisor):
    make_case(uptd, wib(2025, 2, 3))
    with override_settings(STORAGES=MEMORY):
        result = exports.export_run(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
        token = exports.stash(result)
        [name] = list(files.walk(files.EXPORTS))
        assert name == token
        assert result.content not in files.raw_read(name, alias=files.EXPORTS)
        assert exports.take(token) == (result.filename, result.content_type, result.content)
        assert exports.take(token) is None  # one download
        assert list(files.walk(files.EXPORTS)) == []


def test_object_storage_is_configured_from_the_environment(tmp_path):
    """SALINGSAPA_FILE_STORAGE=s3 builds django-storages' S3 backend for both aliases (built, never
    connected: no network here); a missing bucket stops start-up naming the variable."""
    env = {"SALINGSAPA_FILE_STORAGE": "s3", "SALINGSAPA_S3_BUCKET": "ss-files",
           "SALINGSAPA_S3_ENDPOINT_URL": "https://s3.dc.bantenprov.go.id", "SALINGSAPA_S3_REGION": "id-banten-1",
           "SALINGSAPA_S3_ACCESS_KEY_ID": "AKIAEXAMPLE", "SALINGSAPA_S3_SECRET_ACCESS_KEY": "secret"}
    expression = ("[[type(s).__name__, s.bucket_name, s.location, s.endpoint_url, s.default_acl, s.querystring_auth] "
                  "for s in (__import__('django.core.files.storage').core.files.storage.storages[a] "
                  "for a in ('sealed', 'exports'))]")
    run = _settings_in_a_process(env, tmp_path, expression)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        ["S3Storage", "ss-files", "sealed", "https://s3.dc.bantenprov.go.id", "private", True],
        ["S3Storage", "ss-files", "exports", "https://s3.dc.bantenprov.go.id", "private", True],
    ]
    missing = _settings_in_a_process({"SALINGSAPA_FILE_STORAGE": "s3"}, tmp_path, "1")
    assert missing.returncode != 0 and "SALINGSAPA_S3_BUCKET" in missing.stderr
    wrong = _settings_in_a_process({"SALINGSAPA_FILE_STORAGE": "ftp"}, tmp_path, "1")
    assert wrong.returncode != 0 and "SALINGSAPA_FILE_STORAGE" in wrong.stderr
