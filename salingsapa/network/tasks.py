"""Background tasks of the network app (periodic jobs run by `salingsapa worker`)."""

from __future__ import annotations

from django_tasks import task

from salingsapa.network.services import referrals_remind_overdue


@task()
def referrals_remind_job() -> dict[str, int]:
    """Unanswered referrals past their deadline are marked and reminded (idempotent)."""
    return {"reminded": len(referrals_remind_overdue())}
