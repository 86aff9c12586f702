"""Who gets which outbound message: the reporter's neutral notice, staff notifications by preference.

* **Reporters** hear only "there is a new message" — never case details — only on the channel
  they chose (WhatsApp), only within the safe time they gave, never on a number marked
  "do not contact". The text is the approved template's, so it reads the same inside and
  outside WhatsApp's 24-hour window; the person answers CEK to read the officer's message.
* **Staff** choose in-app only, + email or + WhatsApp (``User.notify_by``). The message names
  the kind of alert and the case or report reference, nothing else.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from salingsapa.core.audit import audit_log
from salingsapa.notify.content import NEUTRAL_NOTICE, email_message, whatsapp_text
from salingsapa.notify.models import MessageChannel, OutboundMessage
from salingsapa.notify.outbound import address_normalise, message_queue
from salingsapa.notify.safetime import safe_hours

logger = logging.getLogger("salingsapa.notify")

REPORTER_NOTICE = "reporter_notice"
STAFF_ALERT = "staff_alert"


def reporter_chose_whatsapp(report: Any) -> bool:
    """The reporter may be written to on WhatsApp: they chose it (and agreed to be contacted), or
    they reported through WhatsApp and chose no other channel."""
    preferred = report.preferred_channel or ""
    if preferred == "whatsapp" and report.consent_contact:
        return True
    return report.channel == "whatsapp" and preferred in {"", "whatsapp"}


def reporter_notice_queue(*, report: Any) -> OutboundMessage | None:
    """Queue the neutral "new message" notice for the reporter of ``report`` (an intake Report),
    in the caller's transaction. One notice waits at a time: while one is queued, no second."""
    if not report.contact_phone or not reporter_chose_whatsapp(report):
        return None
    waiting = OutboundMessage.objects.filter(
        purpose=REPORTER_NOTICE, reference=report.reference, status=OutboundMessage.Status.QUEUED
    ).first()
    if waiting is not None:
        return waiting
    try:
        return message_queue(
            channel=MessageChannel.WHATSAPP, address=report.contact_phone, content=whatsapp_text(NEUTRAL_NOTICE),
            purpose=REPORTER_NOTICE, reference=report.reference, hours=safe_hours(report.safe_time),
        )
    except ValueError:  # a number the schema accepted but WhatsApp cannot take: staff call instead
        logger.warning("report %s: contact number cannot receive WhatsApp", report.reference)
        return None


NOTIFY_BY = ("app", "email", "whatsapp")


def staff_alert_deliver(*, user: Any, kind: str, reference: str = "") -> OutboundMessage | None:
    """Deliver one in-app alert to ``user`` by their preference too (email or WhatsApp)."""
    how = getattr(user, "notify_by", "app")
    what = f"{kind} — {reference}" if reference else kind
    text = _("Saling Sapa: peringatan baru (%(what)s). Buka aplikasi staf untuk membaca.") % {"what": what}
    try:
        if how == "email" and user.email:
            return message_queue(channel=MessageChannel.EMAIL, address=user.email, purpose=STAFF_ALERT, reference=reference,
                                 content=email_message(_("Saling Sapa: peringatan baru"), text))
        if how == "whatsapp" and user.notify_phone:
            return message_queue(channel=MessageChannel.WHATSAPP, address=user.notify_phone, purpose=STAFF_ALERT,
                                 reference=reference, content=whatsapp_text(text))
    except ValueError:
        logger.warning("staff user %s: notification address not usable", user.pk)
    return None


def staff_preference_set(*, actor: Any, notify_by: str, phone: str = "") -> None:
    """A staff member's own choice: in-app only, + email, or + WhatsApp (to ``phone``)."""
    if notify_by not in NOTIFY_BY:
        raise ValueError(f"unknown preference {notify_by!r}")
    normalised = address_normalise(MessageChannel.WHATSAPP, phone) if phone.strip() else ""
    if notify_by == "whatsapp" and not normalised:
        raise ValueError("a WhatsApp number is needed")
    if notify_by == "email" and not actor.email:
        raise ValueError("the account has no email address")
    with transaction.atomic():
        actor.notify_by, actor.notify_phone = notify_by, normalised
        actor.save(update_fields=["notify_by", "notify_phone"])
        audit_log(actor=actor, action="update", object_type="notify_preference", object_id=actor.pk,
                  detail={"notify_by": notify_by})
