"""Durable background jobs (issue 12 item 4): django-tasks with its database backend.

Jobs are written in the same transaction as the record that causes them; `salingsapa worker
[--burst]` runs them and enqueues the periodic jobs; a worker killed with SIGKILL mid-job leaves a
job that the next worker runs to completion, its effect applied once."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from salingsapa.core.jobs import job_enqueue, jobs_requeue_stale, periodic_enqueue_due, worker_beat
from salingsapa.core.models import JobSchedule
from salingsapa.core.tasks import audit_anchor_job
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.jobs import export_job_create
from salingsapa.stats.models import ExportJob
from tests.stats_fixtures import make_case, wib

PERIOD = StatsFilter(start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
ROOT = Path(__file__).resolve().parent.parent


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_job_is_written_in_the_same_transaction_as_its_record(supervisor):
    with pytest.raises(Boom), transaction.atomic():
        export_job_create(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
        assert DBTaskResult.objects.count() == 1  # written with the record, inside the transaction
        raise Boom
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()  # rolled back together

    job = export_job_create(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "salingsapa.stats.jobs.export_job_task"
    assert queued.args_kwargs["kwargs"] == {"job_id": job.pk} and queued.status == "READY"


@pytest.mark.django_db
def test_other_backends_enqueue_on_commit(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    with django_capture_on_commit_callbacks(execute=False) as rolled_back:
        job_enqueue(audit_anchor_job)
    assert backend.results == []  # nothing before the commit
    # (a rollback discards the callbacks: they are never run)
    with django_capture_on_commit_callbacks(execute=True) as committed:
        job_enqueue(audit_anchor_job)
    assert len(rolled_back) == 1 and len(committed) == 1
    assert [r.task.module_path for r in backend.results] == ["salingsapa.core.tasks.audit_anchor_job"]


@pytest.mark.django_db(transaction=True)
def test_burst_runs_the_queued_export_and_the_progress_is_kept(uptd, supervisor):
    make_case(uptd, wib(2025, 2, 3), forms=("fisik",))
    job = export_job_create(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    call_command("worker", "--burst", "--no-periodic", verbosity=0)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.token
    assert job.rows_total == job.rows_done == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def _task_lines(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "django_tasks" and r.levelno == level]


@pytest.mark.django_db(transaction=True)
def test_routine_periodic_runs_are_logged_at_debug_other_jobs_at_info(uptd, supervisor, caplog):
    make_case(uptd, wib(2025, 2, 3), forms=("fisik",))
    export_job_create(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    with caplog.at_level(logging.INFO):
        call_command("worker", "--burst", verbosity=0)  # the export and every periodic job (all due)
    info = _task_lines(caplog, logging.INFO)
    assert any("stats.jobs.export_job_task" in line and "SUCCESSFUL" in line for line in info), info
    assert not any("rollup_flush_job" in line or "audit_anchor_job" in line for line in info), info
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1 + len(django_settings.PERIODIC_JOBS)
    caplog.clear()
    periodic_enqueue_due(now=timezone.now() + dt.timedelta(days=2))  # all due again
    with caplog.at_level(logging.DEBUG, logger="django_tasks"):
        call_command("worker", "--burst", verbosity=0)
    debug = _task_lines(caplog, logging.DEBUG)
    assert any("rollup_flush_job" in line and "SUCCESSFUL" in line for line in debug), debug


@pytest.mark.django_db(transaction=True)
def test_periodic_jobs_are_enqueued_once_per_interval(settings):
    now = timezone.now()
    assert set(periodic_enqueue_due(now=now)) == set(settings.PERIODIC_JOBS)
    assert periodic_enqueue_due(now=now + dt.timedelta(seconds=5)) == []  # another worker, same moment
    assert DBTaskResult.objects.count() == len(settings.PERIODIC_JOBS)
    later = now + dt.timedelta(seconds=settings.PERIODIC_JOBS["audit-anchor"][1] + 1)
    assert "audit-anchor" in periodic_enqueue_due(now=later)
    assert JobSchedule.objects.get(name="audit-anchor").next_run_at > later


@pytest.mark.django_db(transaction=True)
def test_running_task_of_a_silent_worker_is_requeued_and_a_live_ones_is_not():
    result = audit_anchor_job.enqueue()
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=long_ago, worker_ids=["alive"])
    worker_beat("alive")
    assert jobs_requeue_stale(stale_after=dt.timedelta(seconds=60)) == 0
    DBTaskResult.objects.filter(pk=result.id).update(worker_ids=["dead"])
    assert jobs_requeue_stale(stale_after=dt.timedelta(seconds=60)) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"


def _worker(*command: str, pause: Path | None = None) -> subprocess.Popen:
    args = [sys.executable, str(ROOT / "tests" / "worker_process.py"), "--db", connection.settings_dict["NAME"]]
    if pause:
        args += ["--pause", str(pause)]
    # An explicit environment: the same data folder (keys) and database as this test, nothing else inherited.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_"))}
    env.update({"SALINGSAPA_DATA_DIR": str(django_settings.DATA_DIR), "SALINGSAPA_ENV": "test",
                "SALINGSAPA_FAST_HASHING": "true", "SALINGSAPA_WORKER_STALE_SECONDS": "1", "PYTHONPATH": str(ROOT)})
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.Popen([*args, "--", *command], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _state() -> dict:
    """The queue as a fresh process sees it (the same view any new worker or web process gets)."""
    proc = _worker("state")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_job_the_job_completes_once_after_restart(uptd, supervisor, tmp_path):
    for day in (3, 4, 5):
        make_case(uptd, wib(2025, 2, day), forms=("fisik",))
    job = export_job_create(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    assert DBTaskResult.objects.count() == 1 and ExportJob.objects.count() == 1
    connection.close()
    flag = tmp_path / "mid-job"
    worker = _worker("worker", "--no-periodic", "--interval", "0.2", pause=flag)
    try:
        deadline = time.monotonic() + 90
        while not flag.exists():
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never reached the middle of the job"
            time.sleep(0.05)
        mid = _state()
        assert mid["jobs"] == [[job.pk, "running", 1, 3, ""]], mid  # one row of three written: mid-job
        assert mid["tasks"] == [["RUNNING", 1]] and mid["exports_audited"] == 0
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    assert _state()["tasks"] == [["RUNNING", 1]]  # left behind by the dead worker

    time.sleep(1.5)  # the dead worker's heartbeat goes stale (SALINGSAPA_WORKER_STALE_SECONDS=1)
    restarted = _worker("worker", "--burst", "--no-periodic")
    _, err = restarted.communicate(timeout=180)
    assert restarted.returncode == 0, err.decode()[-2000:]

    after = _state()
    [[pk, status, rows_done, rows_total, token]] = after["jobs"]
    assert (pk, status, rows_done, rows_total) == (job.pk, "done", 3, 3) and token
    assert after["tasks"] == [["SUCCESSFUL", 2]]  # the dead worker, then the new one
    assert after["exports_audited"] == 1  # its effect applied once
    again = _worker("worker", "--burst", "--no-periodic")  # nothing runs twice
    again.communicate(timeout=180)
    assert _state()["exports_audited"] == 1
