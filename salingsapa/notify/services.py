"""Sending notifications. Messages carry references and kinds only — never personal data."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from salingsapa.accounts.models import CASEWORK_ROLES, Organisation
from salingsapa.notify.content import (
    NEUTRAL_NOTICE,
    email_message,
    sms_text,
    whatsapp_buttons,
    whatsapp_list,
    whatsapp_template,
    whatsapp_text,
)
from salingsapa.notify.models import OutboundMessage
from salingsapa.notify.outbound import (
    address_do_not_contact,
    address_index_do_not_contact,
    address_may_contact,
    inbound_seen,
    media_download,
    message_queue,
    status_record,
)
from salingsapa.notify.people import (
    reporter_notice_queue,
    staff_alert_deliver,
    staff_preference_set,
)
from salingsapa.notify.senders import MediaUnavailable, mask_address
from salingsapa.notify.transports import Notification, get_transport

__all__ = [
    "NEUTRAL_NOTICE",
    "NOBODY_ON_DUTY",
    "MediaUnavailable",
    "OutboundMessage",
    "address_do_not_contact",
    "address_index_do_not_contact",
    "address_may_contact",
    "email_message",
    "inbound_seen",
    "mask_address",
    "media_download",
    "message_queue",
    "notification_send",
    "notify_on_duty",
    "on_duty_officers",
    "reporter_notice_queue",
    "sms_text",
    "staff_alert_deliver",
    "staff_preference_set",
    "status_record",
    "whatsapp_buttons",
    "whatsapp_list",
    "whatsapp_template",
    "whatsapp_text",
]

logger = logging.getLogger("salingsapa.notify")

NOBODY_ON_DUTY = "piket-kosong"


def on_duty_officers() -> QuerySet[Any]:
    User = get_user_model()
    return User.objects.filter(
        on_duty=True,
        is_active=True,
        role__in=list(CASEWORK_ROLES),
        organisation__kind=Organisation.Kind.UPTD_PPA,
    ).order_by("pk")


def notification_send(*, to: str, subject: str, body: str, kind: str = "info", data: dict[str, Any] | None = None) -> None:
    """Send one message through the configured transport; a failing transport is logged, never raised."""
    try:
        get_transport().send(Notification(to=to, subject=subject, body=body, kind=kind, data=data or {}))
    except Exception:  # a broken channel must not lose the report that triggered it
        logger.exception("notification transport failed (kind=%s)", kind)


def notify_on_duty(*, reference: str) -> int:
    """Alert every on-duty officer that an emergency report arrived. Returns how many were alerted.

    The message holds the report reference and the word "darurat" only: the officer opens the
    intake queue (after logging in) to read anything else.
    """
    subject = f"DARURAT: pengaduan {reference}"
    body = f"Pengaduan darurat {reference} baru masuk. Segera buka antrean pengaduan."
    data = {"reference": reference}
    officers = list(on_duty_officers())
    if not officers:
        logger.error("emergency report %s: no officer is on duty", reference)
        notification_send(to=NOBODY_ON_DUTY, subject=subject, body=body, kind="emergency", data=data)
        return 0
    for officer in officers:
        notification_send(to=officer.get_username(), subject=subject, body=body, kind="emergency", data=data)
        staff_alert_deliver(user=officer, kind="DARURAT", reference=reference)  # + email/WhatsApp by preference
    return len(officers)
