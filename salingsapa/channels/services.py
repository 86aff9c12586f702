"""Writes of the WhatsApp channel that the webhook view calls."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from salingsapa.channels.models import WhatsAppDelivery
from salingsapa.channels.tasks import whatsapp_delivery_job
from salingsapa.core.jobs import job_enqueue


def delivery_store(*, body: str) -> WhatsAppDelivery:
    """Keep a signed delivery (sealed) and enqueue its job in the same transaction."""
    with transaction.atomic():
        delivery = WhatsAppDelivery.objects.create(received_at=timezone.now(), body=body,
                                                   size=len(body.encode("utf-8")))
        job_enqueue(whatsapp_delivery_job, delivery.pk)
    return delivery
