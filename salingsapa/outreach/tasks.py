"""Background tasks of the outreach app (periodic jobs run by `salingsapa worker`)."""

from __future__ import annotations

from django_tasks import task

from salingsapa.outreach.services import reminders_queue


@task()
def visit_reminders_job() -> dict[str, int]:
    """Reminders of bookings whose reminder time has come (each booking claimed once; idempotent)."""
    return {"reminded": reminders_queue()}
