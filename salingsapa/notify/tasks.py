"""Background tasks of notify. (The send job itself, ``message_send_job``, lives in ``outbound.py``
beside the code that enqueues and re-enqueues it.)"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from salingsapa.notify.outbound import outbound_prune


@task()
def outbound_prune_job() -> dict[str, int]:
    """Daily: finished outbound messages past the retention period lose address and content (idempotent)."""
    return {"pruned": outbound_prune(older_than=dt.timedelta(days=settings.RETENTION_OUTBOUND_DAYS))}
