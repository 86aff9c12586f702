"""Background tasks of the cases app (periodic jobs run by `salingsapa worker`)."""

from __future__ import annotations

from django_tasks import task

from salingsapa.cases.retention import retention_run
from salingsapa.cases.services import deadlines_ensure_missing, deadlines_escalate


@task()
def sla_escalate_job() -> dict[str, int]:
    """Overdue first-contact and UU TPKS Pasal 41 deadlines → supervisor alerts (idempotent)."""
    created = deadlines_ensure_missing()
    return {"escalated": deadlines_escalate(), "created": created}


@task()
def retention_job() -> dict[str, int]:
    """The retention rules (cases/retention.py), daily."""
    return {r.rule: r.count for r in retention_run(apply=True)}
