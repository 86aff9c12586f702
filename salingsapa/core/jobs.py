"""Durable background jobs on django-tasks with its database backend (django-tasks-db).

* **Enqueue with the record that causes the job.** ``job_enqueue`` writes the task row in the
  caller's transaction when the task backend stores tasks in this database (the default): a
  rolled-back record leaves no job, a committed one always has its job — there is no moment in
  which the record is committed and its job not yet written. With any other backend the task is
  enqueued by ``transaction.on_commit`` (nothing for a rolled-back record; a crash between the
  commit and the enqueue could lose it, which is why the database backend is the default).
* **Periodic jobs** (``settings.PERIODIC_JOBS``: name → dotted task path and interval) are
  enqueued by the worker: one row per job in ``JobSchedule``; a conditional UPDATE of its
  ``next_run_at`` and the task row are written in one transaction, so with several workers each
  due job is enqueued exactly once.
* **Crash recovery.** Workers write a heartbeat (``WorkerBeat``) every few seconds. A task left
  RUNNING by a worker that stopped beating (killed, machine lost) is put back to READY and runs
  again; tasks are written so that running one twice applies its effect once.
* **Quiet routine.** django-tasks logs every task's start and end at INFO; for the periodic jobs
  (the rollup flush runs every minute) the worker demotes a start and a success to DEBUG
  (``RoutinePeriodicRuns``), so the console shows the jobs people start and every failure.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from salingsapa.core.models import JobSchedule, WorkerBeat

log = logging.getLogger(__name__)


def _stores_in_this_database(task: Any) -> bool:
    return isinstance(task.get_backend(), DatabaseBackend)


def job_enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` as part of the current transaction (see the module docstring)."""
    if _stores_in_this_database(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def periodic_jobs() -> dict[str, tuple[str, int]]:
    return dict(settings.PERIODIC_JOBS)


def periodic_enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose time has come; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, (path, seconds) in periodic_jobs().items():
        JobSchedule.objects.get_or_create(name=name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = JobSchedule.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + dt.timedelta(seconds=seconds), last_enqueued_at=now)
            if claimed:
                import_string(path).enqueue()
                enqueued.append(name)
    return enqueued


class RoutinePeriodicRuns(logging.Filter):
    """On the ``django_tasks`` logger: a periodic job's "state=RUNNING" / "state=SUCCEEDED" line becomes DEBUG.

    Other tasks' lines, and a periodic job's failure (logged at ERROR with its traceback), are untouched.
    """

    ROUTINE = frozenset({TaskResultStatus.RUNNING, TaskResultStatus.SUCCESSFUL})

    def __init__(self) -> None:
        super().__init__()
        self.paths = frozenset(path for path, _ in periodic_jobs().values())

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if (record.levelno == logging.INFO and len(args) == 3 and args[1] in self.paths
                and args[2] in self.ROUTINE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def worker_beat(worker_id: str, *, pid: int = 0) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.get_or_create(worker_id=worker_id, defaults={"beat_at": now, "started_at": now, "pid": pid})


def worker_gone(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def jobs_requeue_stale(*, stale_after: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Put tasks left RUNNING by workers that stopped beating back in the queue."""
    now = now or timezone.now()
    cutoff = now - stale_after
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    stale = []
    for pk, workers in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff).values_list("pk", "worker_ids"):
        if not workers or workers[-1] not in alive:
            stale.append(pk)
    if stale:
        requeued = DBTaskResult.objects.filter(pk__in=stale, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None)
        log.warning("requeued %d task(s) left running by a stopped worker", requeued)
        WorkerBeat.objects.filter(beat_at__lt=cutoff - stale_after).delete()
        return requeued
    WorkerBeat.objects.filter(beat_at__lt=cutoff - stale_after).delete()
    return 0


def jobs_summary() -> dict[str, int]:
    """Counts of tasks by status (for `salingsapa worker --status` and health checks)."""
    return {row["status"]: row["n"] for row in DBTaskResult.objects.values("status").annotate(n=Count("pk"))}
