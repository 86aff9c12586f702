"""Exports as background jobs: the page creates an ``ExportJob`` row and, in the same transaction, the
task that runs it (``salingsapa worker`` picks it up). The row carries the progress the page shows.

A job whose worker was killed mid-way is put back in the queue by the next worker and runs again
from the start; the file is stashed and the job marked done once, in its last step."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from salingsapa.core.audit import audit_log
from salingsapa.core.dbrouter import replica_reads
from salingsapa.core.jobs import job_enqueue
from salingsapa.stats import exports, rollup
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.models import ExportJob

log = logging.getLogger(__name__)
PROGRESS_EVERY = 200  # rows between progress writes


def export_job_create(*, user: Any, kind: str, fmt: str, flt: StatsFilter) -> ExportJob:
    if not getattr(user, "is_supervisor", False):
        audit_log(actor=user, action="denied", object_type="stats.export", detail={"kind": kind})
        raise PermissionDenied("Hanya supervisor UPTD PPA yang dapat mengekspor data.")
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=user, kind=kind, fmt=fmt, start=flt.start, end=flt.end,
                                       created_at=timezone.now())
        audit_log(actor=user, action="create", object_type="stats.export_job", object_id=job.pk,
                  detail={"kind": kind, "format": fmt})
        job_enqueue(export_job_task, job_id=job.pk)  # same transaction: no job without its task, and back
    return job


@task()
def export_job_task(*, job_id: int) -> str:
    job = export_job_run(job_id=job_id)
    return job.status if job is not None else "skipped"


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Claim a job and run it; returns it, or None when it is already finished.

    A job still marked running is claimed again: the queue runs one task per job at a time, so a
    running job seen here was left by a worker that died (see ``core.jobs.jobs_requeue_stale``).
    """
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), rows_done=0)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    flt = StatsFilter(start=job.start, end=job.end)
    try:
        with replica_reads():  # the rows come from the read replica when there is one
            job.rows_total = exports.export_count(flt)
        job.save(update_fields=["rows_total"])
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job_id).update(rows_done=done)

        with replica_reads():  # progress and the audit entry are writes: they still go to the primary
            result = exports.export_run(user=job.requested_by, kind=job.kind, fmt=job.fmt, flt=flt, progress=tick)
        with transaction.atomic():
            if not ExportJob.objects.select_for_update().filter(pk=job_id, status=ExportJob.Status.RUNNING).exists():
                return None  # finished meanwhile: its effect is not applied twice
            job.token = exports.stash(result)
            job.filename, job.rows_done = result.filename, result.rows
            job.password = result.password or ""
            job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
            job.save(update_fields=["token", "filename", "rows_done", "password", "status", "finished_at"])
    except Exception as exc:  # the job records its failure; the worker goes on
        log.exception("export job %s failed", job_id)
        job.status, job.finished_at = ExportJob.Status.FAILED, timezone.now()
        job.error = str(exc)[:300] if isinstance(exc, PermissionDenied | ValueError) else "Ekspor gagal; coba lagi."
        job.save(update_fields=["status", "finished_at", "error"])
    return job


@task()
def rollup_flush_job() -> dict[str, Any]:
    """Fold the queued writes into the statistics rollups (periodic job ``stats-rollup-flush``).

    Reads flush too (``rollup.ready``), so this job adds no correctness, only speed: the first dashboard
    after a quiet spell finds nothing left to recompute. Rollups that are stale (rows loaded behind the
    services' back) are left to ``salingsapa stats rebuild``; the engine reads live meanwhile."""
    started = timezone.now()
    pending = rollup.pending()
    current = rollup.flush()
    if not current and rollup.is_stale():
        log.warning("statistics rollups are stale: the engine reads live until 'salingsapa stats rebuild'")
    return {"queued": pending, "current": current, "ms": int((timezone.now() - started).total_seconds() * 1000)}
