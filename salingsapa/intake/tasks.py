"""Background tasks of the intake app (periodic jobs run by `salingsapa worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from salingsapa.intake.services import evidence_pending_purge


@task()
def evidence_cleanup_job() -> dict[str, int]:
    """Sealed files of report drafts never sent, older than 24 hours, are deleted (idempotent)."""
    return {"purged": evidence_pending_purge(older_than=dt.timedelta(hours=24))}
