"""Processing a stored delivery (run by the background job ``channels.tasks.whatsapp_delivery_job``).

Every status goes to ``notify.services.status_record``. Every message is handled in its own
transaction that first inserts its ``WhatsAppInbound`` row: the UNIQUE message key makes a
duplicate (a second delivery of the same message, or two workers on the same delivery) fail there
and do nothing, in any process. The conversation row is locked for the turn (``select_for_update``
on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), the replies are queued with
``notify.services.message_queue`` in the same transaction, so a crash leaves either the whole turn
or none of it, and the job's rerun does the missing part once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from salingsapa.channels.models import Conversation, WhatsAppDelivery, WhatsAppInbound
from salingsapa.channels.whatsapp.conversation import respond
from salingsapa.channels.whatsapp.parse import Inbound, parse_delivery
from salingsapa.channels.whatsapp.turn import text_reply
from salingsapa.core import crypto
from salingsapa.core.identifiers import identifier_index
from salingsapa.notify.services import inbound_seen, message_queue, status_record

log = logging.getLogger(__name__)  # counts and outcomes only: never a number or a text
CHANNEL = "whatsapp"


def message_key(message_id: str) -> str:
    """A keyed hash of the ``wamid`` (which encodes the sender's number)."""
    return crypto.keyed_hash(message_id, purpose="whatsapp-message-id")


def sender_phone(wa_id: str) -> str:
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    return "+" + digits


def delivery_process(delivery_id: int) -> dict[str, int]:
    """Handle every status and message of one stored delivery; safe to run again."""
    delivery = WhatsAppDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.processed_at is not None:
        return {"messages": 0, "statuses": 0}
    try:
        payload: Any = json.loads(delivery.body or "{}")
    except ValueError:
        payload = {}
    messages, statuses = parse_delivery(payload)
    for status in statuses:
        status_record(provider_id=status.provider_id, status=status.status, at=status.at,
                      error_code=status.error_code, error_title=status.error_title)
    outcomes: dict[str, int] = {}
    for message in messages:
        try:
            outcome = message_handle(message, delivery=delivery)
        except Exception as exc:  # one message that breaks must not lose the others, nor loop forever
            outcome = _failed(message, delivery, exc)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    WhatsAppDelivery.objects.filter(pk=delivery.pk).update(
        processed_at=timezone.now(), messages=len(messages), statuses=len(statuses))
    log.info("whatsapp delivery %s: %d message(s) %s, %d status(es)", delivery.pk, len(messages), outcomes,
             len(statuses))
    return {"messages": len(messages), "statuses": len(statuses), **outcomes}


def _conversation(phone: str, at: dt.datetime) -> Conversation:
    index = identifier_index("phone", phone)
    now = timezone.now()
    if not Conversation.objects.filter(address_index=index).exists():
        try:
            with transaction.atomic():
                Conversation.objects.create(address_index=index, address=phone, state=None, last_message_at=at,
                                            updated_at=now)
        except IntegrityError:  # another worker opened it first
            pass
    return Conversation.objects.select_for_update().get(address_index=index)


def message_handle(message: Inbound, *, delivery: WhatsAppDelivery | None = None) -> str:
    """Handle one message once: ``handled``, ``late`` (older than one already handled), or ``duplicate``."""
    phone = sender_phone(message.sender)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WhatsAppInbound.objects.create(
                    message_key=message_key(message.message_id), delivery=delivery, kind=message.raw_type or "?",
                    sent_at=message.sent_at, handled_at=now)
        except IntegrityError:
            return "duplicate"
        inbound_seen(channel=CHANNEL, address=phone, at=message.sent_at)
        conversation = _conversation(phone, message.sent_at)
        state: dict[str, Any] = conversation.state or {}
        idle = dt.timedelta(hours=settings.WHATSAPP_CONVERSATION_HOURS)
        if conversation.updated_at < now - idle:
            state = {"lang": state["lang"]} if "lang" in state else {}  # stale: start again at the menu
        late = message.sent_at < conversation.last_message_at
        turn = respond(state, message, phone, late=late)
        for content in turn.replies:
            message_queue(channel=CHANNEL, address=phone, content=content, purpose="conversation")
        conversation.state = turn.state  # type: ignore[misc]  # a sealed JSON field
        conversation.last_message_at = max(conversation.last_message_at, message.sent_at)
        conversation.updated_at = now
        conversation.save(update_fields=["state", "last_message_at", "updated_at"])
        outcome = "late" if late else "handled"
        WhatsAppInbound.objects.filter(pk=row.pk).update(outcome=outcome)
    return outcome


def _failed(message: Inbound, delivery: WhatsAppDelivery, exc: Exception) -> str:
    """Record the message as handled (so it is not retried for ever) and apologise; the log names
    the error's type only (its text could hold what the person wrote)."""
    log.error("whatsapp message in delivery %s failed: %s", delivery.pk, type(exc).__name__)
    phone = sender_phone(message.sender)
    try:
        with transaction.atomic():
            WhatsAppInbound.objects.create(message_key=message_key(message.message_id), delivery=delivery,
                                           kind=message.raw_type or "?", sent_at=message.sent_at,
                                           handled_at=timezone.now(), outcome="failed")
            message_queue(channel=CHANNEL, address=phone, purpose="conversation", content=text_reply(
                gettext("Maaf, ada gangguan saat membaca pesan Anda. Coba lagi, atau ketik MENU. "
                        "Jika darurat, telepon 112.")))
    except IntegrityError:
        return "duplicate"
    return "failed"


def conversations_expire(*, now: dt.datetime | None = None) -> int:
    """Drop the state (draft, checked report) of conversations silent longer than the limit."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.WHATSAPP_CONVERSATION_HOURS)
    return Conversation.objects.filter(updated_at__lt=cutoff).delete()[0]


def deliveries_purge(*, now: dt.datetime | None = None) -> int:
    """Delete processed raw deliveries older than the keep period (their sealed bodies with them)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.WHATSAPP_DELIVERY_KEEP_DAYS)
    WhatsAppInbound.objects.filter(delivery__processed_at__lt=cutoff).update(delivery=None)
    return WhatsAppDelivery.objects.filter(processed_at__lt=cutoff).delete()[0]
