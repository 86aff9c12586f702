"""Every new report starts its first-contact clock, whichever channel or app wrote it; account security
events (``accounts.signals``) become alerts for the supervisors."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from salingsapa.accounts.models import User
from salingsapa.accounts.signals import account_security_event
from salingsapa.cases.models import Alert
from salingsapa.cases.services import _supervisors, alert_create
from salingsapa.intake.models import Report


@receiver(post_save, sender=Report, dispatch_uid="cases.report_first_contact_clock")
def report_first_contact_clock(sender: Any, instance: Report, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created:
        return
    from salingsapa.cases.services import deadline_first_contact_ensure

    deadline_first_contact_ensure(report=instance)


SECURITY_EVENT_TEXT = {
    "account_created": "akun baru dibuat",
    "account_changed": "akun diubah",
    "second_factor_enrolled": "verifikasi dua langkah didaftarkan",
    "second_factor_reset": "verifikasi dua langkah diatur ulang",
}


@receiver(account_security_event, dispatch_uid="cases.account_security_alert")
def account_security_alert(sender: Any, subject: User, actor: Any, event: str, fields: list[str], **kwargs: Any) -> None:
    """An account change that could open case content is told to the lead agency's supervisors (in-app alert)."""
    org_id = subject.organisation_id if subject.organisation and subject.organisation.is_lead_agency else None
    recipients = _supervisors(org_id) or _supervisors(None)
    who = actor.get_username() if hasattr(actor, "get_username") else str(actor or "sistem")
    detail = f" ({', '.join(fields)})" if fields else ""
    message = f"Keamanan akun: {SECURITY_EVENT_TEXT.get(event, event)} — akun {subject.get_username()}, oleh {who}{detail}."
    alert_create(recipients=recipients, kind=Alert.Kind.SECURITY, message=message)
