"""Background tasks of the core: anchoring the audit chain (a periodic job)."""

from __future__ import annotations

from django_tasks import task

from salingsapa.core.audit import audit_anchor


@task()
def audit_anchor_job() -> dict[str, int | bool]:
    """Append the audit head to the anchor file (idempotent: an unchanged head is not appended)."""
    anchor, appended = audit_anchor()
    return {"count": anchor.count, "appended": appended}
