"""Exports as background jobs: created by the web page, run in a worker thread at once, and picked up
by ``salingsapa jobs`` if the process stopped before running them (the job row is durable)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, transaction
from django.utils import timezone

from salingsapa.core.audit import audit_log
from salingsapa.stats import exports
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.models import ExportJob

log = logging.getLogger(__name__)
PROGRESS_EVERY = 200  # rows between progress writes
STALE_AFTER = dt.timedelta(hours=1)


def export_job_create(*, user: Any, kind: str, fmt: str, flt: StatsFilter) -> ExportJob:
    if not getattr(user, "is_supervisor", False):
        audit_log(actor=user, action="denied", object_type="stats.export", detail={"kind": kind})
        raise PermissionDenied("Hanya supervisor UPTD PPA yang dapat mengekspor data.")
    job = ExportJob.objects.create(requested_by=user, kind=kind, fmt=fmt, start=flt.start, end=flt.end,
                                   created_at=timezone.now())
    audit_log(actor=user, action="create", object_type="stats.export_job", object_id=job.pk,
              detail={"kind": kind, "format": fmt})
    return job


def export_job_start(job: ExportJob) -> None:
    """Run the job in a worker thread once the creating transaction has committed."""

    def run() -> None:
        try:
            export_job_run(job_id=job.pk)
        finally:
            close_old_connections()

    transaction.on_commit(lambda: threading.Thread(target=run, daemon=True, name=f"export-{job.pk}").start())


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Claim a queued job and run it; returns it, or None when another worker already took it."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    flt = StatsFilter(start=job.start, end=job.end)
    try:
        job.rows_total = exports.export_count(flt)
        job.save(update_fields=["rows_total"])
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job_id).update(rows_done=done)

        result = exports.export_run(user=job.requested_by, kind=job.kind, fmt=job.fmt, flt=flt, progress=tick)
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


def export_jobs_run_pending() -> int:
    """Run queued jobs (e.g. after a restart) and fail the ones stuck 'running' for too long."""
    ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER).update(
        status=ExportJob.Status.FAILED, error="Ekspor terhenti; silakan buat ulang.", finished_at=timezone.now())
    ran = 0
    for job_id in ExportJob.objects.filter(status=ExportJob.Status.QUEUED).values_list("pk", flat=True):
        if export_job_run(job_id=job_id) is not None:
            ran += 1
    return ran
