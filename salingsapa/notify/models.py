"""Outbound messages (WhatsApp, SMS, email) and what we know about each address.

An address (a phone number or an email address) is personal data: it is sealed, and found again
only through its blind index (the same index as a report's contact phone, ``core.identifiers``).
A message's content is sealed too; the staff list shows status, attempts and errors, never it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedJSONField, EncryptedTextField


class MessageChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class OutboundMessage(models.Model):
    """One message the system promised to send; one background job sends it (and retries)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Antre")
        SENT = "sent", _("Terkirim ke penyedia")
        DELIVERED = "delivered", _("Sampai")
        READ = "read", _("Dibaca")
        FAILED = "failed", _("Gagal")
        BLOCKED = "blocked", _("Ditahan (jangan dihubungi)")

    channel = models.CharField(_("saluran"), max_length=10, choices=MessageChannel.choices)
    address = EncryptedTextField(_("alamat"))
    address_index = models.CharField(max_length=64, db_index=True)
    content = EncryptedJSONField(_("isi"))
    purpose = models.CharField(_("keperluan"), max_length=40)
    reference = models.CharField(_("rujukan"), max_length=40, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    # The reporter's safe hours (local time, [start, end) in whole hours); null = any time.
    window_start = models.PositiveSmallIntegerField(null=True, blank=True)
    window_end = models.PositiveSmallIntegerField(null=True, blank=True)
    as_template = models.BooleanField(_("dikirim sebagai templat"), default=False)
    provider_id = models.CharField(max_length=128, null=True, blank=True, unique=True)
    error_code = models.IntegerField(_("kode galat"), null=True, blank=True)
    error_title = models.CharField(_("galat"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("dibuat"), db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = _("pesan keluar")

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"  # never the address


class ContactAddress(models.Model):
    """What we know about one address: its last inbound message and whether it may be contacted."""

    channel = models.CharField(_("saluran"), max_length=10, choices=MessageChannel.choices)
    address_index = models.CharField(max_length=64)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    do_not_contact = models.BooleanField(_("jangan dihubungi"), default=False)
    do_not_contact_at = models.DateTimeField(null=True, blank=True)
    do_not_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    do_not_contact_reason = EncryptedTextField(_("alasan"), blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_index"], name="notify_address_unique"),
        ]
        verbose_name = verbose_name_plural = _("alamat kontak")

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"
