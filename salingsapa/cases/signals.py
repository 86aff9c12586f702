"""Every new report starts its first-contact clock, whichever channel or app wrote it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from salingsapa.intake.models import Report


@receiver(post_save, sender=Report, dispatch_uid="cases.report_first_contact_clock")
def report_first_contact_clock(sender: Any, instance: Report, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created:
        return
    from salingsapa.cases.services import deadline_first_contact_ensure

    deadline_first_contact_ensure(report=instance)
