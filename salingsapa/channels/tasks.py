"""Background jobs of the WhatsApp channel (run by `salingsapa worker`)."""

from __future__ import annotations

from django_tasks import task

from salingsapa.channels.whatsapp.handle import conversations_expire, deliveries_purge, delivery_process


@task()
def whatsapp_delivery_job(delivery_id: int) -> dict[str, int]:
    """Handle one stored webhook delivery (idempotent: each message id is handled once)."""
    return delivery_process(delivery_id)


@task()
def whatsapp_cleanup_job() -> dict[str, int]:
    """Periodic: forget silent conversations, delete processed raw deliveries past their keep period."""
    return {"conversations": conversations_expire(), "deliveries": deliveries_purge()}
