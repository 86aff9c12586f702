"""What the WhatsApp channel keeps: raw deliveries (sealed), one row per inbound message id, and
each person's conversation state (sealed).

Phone numbers and message text are personal data: the raw delivery is sealed as one value, the
conversation's number is sealed with a blind index for the lookup, and a message id (a ``wamid``,
which encodes the sender's number) is kept only as a keyed hash.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedJSONField, EncryptedTextField


class WhatsAppDelivery(models.Model):
    """One signed POST from the Cloud API, stored before it is processed (by a background job)."""

    received_at = models.DateTimeField(_("diterima"), db_index=True)
    body = EncryptedTextField(_("isi mentah"), blank=True, default="")  # the raw request body, sealed
    size = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True, db_index=True)
    messages = models.PositiveIntegerField(default=0)  # counts only: what the job found in it
    statuses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = verbose_name_plural = _("kiriman webhook WhatsApp")

    def __str__(self) -> str:
        return f"delivery #{self.pk}"


class WhatsAppInbound(models.Model):
    """One inbound message, by its id: the UNIQUE constraint makes handling idempotent across
    processes (a duplicate delivery, or two workers with the same delivery, handles it once)."""

    message_key = models.CharField(max_length=64, unique=True)  # keyed hash of the wamid
    delivery = models.ForeignKey(WhatsAppDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)  # text, interactive, image, … (no content)
    sent_at = models.DateTimeField()  # the message's own timestamp
    handled_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, blank=True)  # handled / stale / ignored

    class Meta:
        verbose_name = verbose_name_plural = _("pesan masuk WhatsApp")

    def __str__(self) -> str:
        return f"inbound #{self.pk}"


class Conversation(models.Model):
    """One person's conversation with the service on WhatsApp. ``state`` (sealed) holds the step,
    the language, the report draft and the checked report; it survives restarts and expires."""

    address_index = models.CharField(max_length=64, unique=True)  # blind index of the number
    address = EncryptedTextField(_("nomor WhatsApp"))
    state = EncryptedJSONField(_("keadaan percakapan"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("pesan terakhir"))  # the newest message's own timestamp
    updated_at = models.DateTimeField(_("diperbarui"), db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("percakapan WhatsApp")

    def __str__(self) -> str:
        return f"conversation #{self.pk}"  # never the number
