"""Durable outbound messages: queue one, send it in a background job, record what the provider says.

* ``message_queue`` writes the message and its send job in the caller's transaction
  (``core.jobs.job_enqueue``): nothing is sent for a rolled-back record, nothing is lost for a
  committed one. An address marked "do not contact" gets a ``blocked`` row and no job.
* ``message_send_job`` sends it. Temporary errors (network, 5xx, throughput 130429 …) are retried
  with exponential backoff (a new job row with ``run_after``) up to ``NOTIFY_MAX_ATTEMPTS``;
  permanent ones are recorded (code and title) for the staff list. On WhatsApp, outside the
  24-hour customer-service window (no inbound message in 24 hours, or Meta answers 131047) only
  the approved neutral template is sent.
* A message with a safe-time window waits (``run_after``) until the window opens.
* Delivery is at least once: a worker killed after the provider accepted a message but before
  the commit sends it again when the job re-runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from salingsapa.core.audit import audit_log
from salingsapa.core.identifiers import identifier_index, normalise_phone
from salingsapa.core.jobs import job_enqueue
from salingsapa.notify.content import content_summary, whatsapp_template
from salingsapa.notify.models import ContactAddress, MessageChannel, OutboundMessage
from salingsapa.notify.safetime import next_in_window
from salingsapa.notify.senders import (
    MediaUnavailable,
    SendError,
    cloud_client,
    email_send,
    sms_gateway,
    whatsapp_body,
    whatsapp_sender,
)

logger = logging.getLogger("salingsapa.notify")

CUSTOMER_SERVICE_WINDOW = dt.timedelta(hours=24)
RETRY_MAX_SECONDS = 3600
PHONE_CHANNELS = {MessageChannel.WHATSAPP, MessageChannel.SMS}
_RANK = {
    OutboundMessage.Status.QUEUED: 0,
    OutboundMessage.Status.SENT: 1,
    OutboundMessage.Status.DELIVERED: 2,
    OutboundMessage.Status.READ: 3,
}
_STAMP = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}


# --- addresses -----------------------------------------------------------------------------------


def address_normalise(channel: str, address: str) -> str:
    """E.164 for phones (a WhatsApp id like ``6281234567890`` is accepted), lower case for email.

    Raises ValueError (``core.identifiers.InvalidIdentifier``) for what cannot be an address.
    """
    if channel not in MessageChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    text = (address or "").strip()
    if channel == MessageChannel.EMAIL:
        if text.count("@") != 1 or len(text) > 254 or any(ch.isspace() for ch in text):
            raise ValueError("not an email address")
        return text.lower()
    if text.isdigit() and not text.startswith("0"):
        text = "+" + text  # a WhatsApp id: the number in international form without the plus
    return normalise_phone(text)


def address_index(channel: str, normalised: str) -> str:
    """The blind index of an address: phones share the index of ``Report.contact_phone_index``."""
    return identifier_index("email" if channel == MessageChannel.EMAIL else "phone", normalised)


def _index_of(channel: str, address: str) -> str:
    return address_index(channel, address_normalise(channel, address))


def _blocked_index(channel: str, index: str) -> bool:
    """A phone number marked on one channel is blocked on every phone channel (the phone may be watched)."""
    channels = [c.value for c in PHONE_CHANNELS] if channel in PHONE_CHANNELS else [channel]
    return ContactAddress.objects.filter(channel__in=channels, address_index=index, do_not_contact=True).exists()


def address_may_contact(*, channel: str, address: str) -> bool:
    """False when staff marked this address (or, for phones, this number on any phone channel) "do not contact"."""
    return not _blocked_index(channel, _index_of(channel, address))


def address_index_do_not_contact(*, actor: Any, channel: str, index: str, reason: str, blocked: bool = True) -> int:
    """Mark (or with ``blocked=False`` clear) an address known by its blind index. Messages still
    queued for it are blocked at once. Returns how many queued messages were blocked."""
    if channel not in MessageChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    now = timezone.now()
    with transaction.atomic():
        row, _created = ContactAddress.objects.select_for_update().get_or_create(channel=channel, address_index=index)
        row.do_not_contact = blocked
        row.do_not_contact_at = now if blocked else None
        row.do_not_contact_by = actor if getattr(actor, "is_authenticated", False) else None
        row.do_not_contact_reason = (reason or "").strip()[:500] if blocked else ""
        row.save()
        stopped = 0
        if blocked:
            channels = [c.value for c in PHONE_CHANNELS] if channel in PHONE_CHANNELS else [channel]
            stopped = OutboundMessage.objects.filter(
                channel__in=channels, address_index=index, status=OutboundMessage.Status.QUEUED
            ).update(status=OutboundMessage.Status.BLOCKED, status_at=now)
        audit_log(
            actor=actor, action="do_not_contact" if blocked else "contact_allowed", object_type="contact_address",
            object_id=row.pk, detail={"channel": channel, "queued_blocked": stopped},
        )
    return stopped


def address_do_not_contact(*, actor: Any, channel: str, address: str, reason: str) -> int:
    """Staff mark an address "do not contact" (the phone may be watched). Nothing more is sent to it."""
    return address_index_do_not_contact(actor=actor, channel=channel, index=_index_of(channel, address), reason=reason)


def inbound_seen(*, channel: str, address: str, at: dt.datetime) -> None:
    """Record the time of a message received from ``address`` (opens WhatsApp's 24-hour window)."""
    index = _index_of(channel, address)
    with transaction.atomic():
        row, _created = ContactAddress.objects.select_for_update().get_or_create(channel=channel, address_index=index)
        if row.last_inbound_at is None or at > row.last_inbound_at:
            row.last_inbound_at = at
            row.save(update_fields=["last_inbound_at"])


def _window_open(channel: str, index: str, now: dt.datetime) -> bool:
    last = ContactAddress.objects.filter(channel=channel, address_index=index).values_list("last_inbound_at", flat=True).first()
    return last is not None and now - last < CUSTOMER_SERVICE_WINDOW


# --- queue ---------------------------------------------------------------------------------------


def _check_content(channel: str, content: dict[str, Any]) -> None:
    kind = content.get("type") if isinstance(content, dict) else None
    allowed = {
        MessageChannel.WHATSAPP: {"text", "interactive", "template"},
        MessageChannel.SMS: {"sms"},
        MessageChannel.EMAIL: {"email"},
    }[MessageChannel(channel)]
    if kind not in allowed:
        raise ValueError(f"content of type {kind!r} cannot go by {channel}")


def message_queue(
    *, channel: str, address: str, content: dict[str, Any], purpose: str, reference: str = "",
    hours: tuple[int, int] | None = None,
) -> OutboundMessage:
    """Queue one message (see the module docstring). ``hours`` = the reporter's safe window
    (local whole hours, end exclusive; ``notify.safetime.safe_hours``); ``None`` = any time."""
    _check_content(channel, content)
    normalised = address_normalise(channel, address)
    index = address_index(channel, normalised)
    if hours is not None and not (0 <= hours[0] < hours[1] <= 24):
        raise ValueError(f"bad safe-hours window {hours!r}")
    now = timezone.now()
    with transaction.atomic():
        blocked = _blocked_index(channel, index)
        message = OutboundMessage.objects.create(  # type: ignore[misc]  # content: an EncryptedJSONField holds a dict
            channel=channel, address=normalised, address_index=index, content=content, purpose=purpose[:40],
            reference=reference[:40], created_at=now,
            status=OutboundMessage.Status.BLOCKED if blocked else OutboundMessage.Status.QUEUED,
            status_at=now if blocked else None,
            window_start=hours[0] if hours else None, window_end=hours[1] if hours else None,
            next_attempt_at=None if blocked else now,
        )
        if blocked:
            logger.info("outbound %s #%s blocked: do not contact", channel, message.pk)
        else:
            job_enqueue(message_send_job, message.pk)
    return message


def _schedule(message: OutboundMessage, at: dt.datetime) -> None:
    message.next_attempt_at = at
    job_enqueue(message_send_job.using(run_after=at), message.pk)


def _retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def _template() -> dict[str, Any]:
    return whatsapp_template(settings.WHATSAPP_TEMPLATE, settings.WHATSAPP_TEMPLATE_LANGUAGE)


def _to(address: str) -> str:
    return address.lstrip("+")  # the Cloud API's recipient: the number in international form, no plus


def _send_once(message: OutboundMessage, now: dt.datetime) -> str:
    content = message.content
    if message.channel == MessageChannel.WHATSAPP:
        if content.get("type") == "template":
            message.as_template = True
        elif message.as_template or not _window_open(message.channel, message.address_index, now):
            message.as_template = True
            content = _template()
        sender = whatsapp_sender()
        try:
            return sender.send(whatsapp_body(_to(message.address), content))
        except SendError as exc:
            if not (exc.window_closed and not message.as_template):
                raise
            message.as_template = True  # Meta says the window is closed: the approved template only
            return sender.send(whatsapp_body(_to(message.address), _template()))
    if message.channel == MessageChannel.SMS:
        return sms_gateway().send(to=message.address, body=str(content["body"]))
    return email_send(to=message.address, subject=str(content["subject"]), body=str(content["body"]))


def message_deliver(message_id: int) -> str:
    """Send one queued message (the job's body). Returns what happened, for the job result.

    Three steps, so that no database lock is held while the provider answers (on SQLite a write
    transaction would stop every other writer for as long): claim the attempt and commit, send,
    then record the outcome. A message blocked or handled by someone else in between is left as
    it is (only the provider's id is kept if it went out)."""
    now = timezone.now()
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboundMessage.Status.QUEUED:
            return "skipped"
        if _blocked_index(message.channel, message.address_index):
            message.status, message.status_at = OutboundMessage.Status.BLOCKED, now
            message.save(update_fields=["status", "status_at"])
            return "blocked"
        if message.window_start is not None and message.window_end is not None:
            opens = next_in_window(timezone.localtime(now), (message.window_start, message.window_end))
            if opens > now:
                _schedule(message, opens)
                message.save(update_fields=["next_attempt_at"])
                return "waiting for the safe time"
        message.attempts += 1
        message.next_attempt_at = None
        message.save(update_fields=["attempts", "next_attempt_at"])
    attempt = message.attempts
    provider_id, error = "", None
    try:
        provider_id = _send_once(message, now)
    except SendError as exc:
        error = exc
    with transaction.atomic():
        current = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if current is None or current.status != OutboundMessage.Status.QUEUED or current.attempts != attempt:
            if current is not None and provider_id and not current.provider_id:
                current.provider_id, current.sent_at = provider_id, now
                current.save(update_fields=["provider_id", "sent_at"])
            return "superseded"
        current.as_template = message.as_template
        if error is not None:
            current.error_code, current.error_title = error.code, error.title
            if error.temporary and current.attempts < settings.NOTIFY_MAX_ATTEMPTS:
                _schedule(current, now + _retry_delay(current.attempts))
                outcome = "retry"
            else:
                current.status, current.failed_at, current.status_at = OutboundMessage.Status.FAILED, now, now
                outcome = "failed"
            current.save()
            logger.warning("outbound %s #%s %s: %s (%s)", current.channel, current.pk, outcome, error.code,
                           content_summary(current.content))
            return outcome
        current.status, current.provider_id = OutboundMessage.Status.SENT, provider_id
        current.sent_at = current.status_at = now
        current.error_code, current.error_title = None, ""
        current.save()
        return "sent"


@task()
def message_send_job(message_id: int) -> str:
    """Send one outbound message (idempotent: a message no longer queued is left alone)."""
    return message_deliver(message_id)


# --- statuses ------------------------------------------------------------------------------------


def status_record(
    *, provider_id: str, status: str, at: dt.datetime, error_code: int | None = None, error_title: str = ""
) -> bool:
    """Record a Cloud API status (sent, delivered, read, failed). Out-of-order safe: the status
    never goes back (delivered after read keeps read; failed after delivered is ignored), but
    each time stamp is kept. A failure 131047 (window closed) sends the neutral template instead.
    Returns False when the id is not one of ours."""
    if status not in _STAMP:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None:
            return False
        stamp = _STAMP[status]
        if status != "failed" and (getattr(message, stamp) is None or at < getattr(message, stamp)):
            setattr(message, stamp, at)
        current = OutboundMessage.Status(message.status)
        if status == "failed":
            if current in (OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENT):
                message.error_code, message.error_title = error_code, (error_title or "")[:200]
                if error_code == 131047 and message.channel == MessageChannel.WHATSAPP and not message.as_template:
                    message.as_template, message.status, message.provider_id = True, OutboundMessage.Status.QUEUED, None
                    message.save()
                    job_enqueue(message_send_job, message.pk)
                    return True
                message.status = OutboundMessage.Status.FAILED
                message.status_at = message.failed_at = at
        elif current in _RANK and _RANK[OutboundMessage.Status(status)] > _RANK[current]:
            message.status, message.status_at = status, at
        message.save()
    return True


# --- retention -----------------------------------------------------------------------------------


FINISHED = (
    OutboundMessage.Status.SENT, OutboundMessage.Status.DELIVERED, OutboundMessage.Status.READ,
    OutboundMessage.Status.FAILED, OutboundMessage.Status.BLOCKED,
)


def outbound_prune(*, older_than: dt.timedelta) -> int:
    """Finished messages older than ``older_than`` lose their address and content; the row (status,
    attempts, errors, reference) stays for the staff list. Returns how many were emptied (once each)."""
    cutoff = timezone.now() - older_than
    pruned = 0
    rows = OutboundMessage.objects.filter(status__in=FINISHED, created_at__lt=cutoff).exclude(address="")
    for message in rows.order_by("pk").iterator():
        message.address, message.content = "", {}
        message.save(update_fields=["address", "content"])
        pruned += 1
    return pruned


# --- media ---------------------------------------------------------------------------------------


def media_download(media_id: str) -> tuple[bytes, str]:
    """Fetch a WhatsApp media file by id through the Cloud API (``GET /{media-id}`` → url, then the
    bytes with the token). Raises MediaUnavailable. Limited to ``EVIDENCE_MAX_BYTES``."""
    if not (settings.WHATSAPP_TOKEN and settings.WHATSAPP_API_BASE):
        raise MediaUnavailable("the WhatsApp Cloud API is not configured")
    return cloud_client().media_download(media_id, max_bytes=settings.EVIDENCE_MAX_BYTES)
