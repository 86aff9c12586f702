"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _payload(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _actor(user: Any) -> tuple[int | None, str]:
    if user is None:
        return None, "public"
    if isinstance(user, str):
        return None, user
    if not getattr(user, "is_authenticated", False):
        return None, "public"
    return user.pk, user.get_username()


def audit_log(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one entry. ``actor`` is a user, ``None`` (the public) or a label like ``"system:sla"``."""
    actor_id, label = _actor(actor)
    with transaction.atomic():
        # Taking the head's row lock first makes concurrent writers queue up, so the chain never forks.
        updated = AuditHead.objects.filter(pk=1).update(count=F("count") + 1)
        if not updated:
            AuditHead.objects.get_or_create(pk=1)
            AuditHead.objects.filter(pk=1).update(count=F("count") + 1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor_id,
            actor_label=label[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = crypto.chain_hmac(head.last_hash, _payload(event))
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_verify(*, progress: Any = None) -> VerifyResult:
    """Walk the chain in order; report the first entry whose link or content does not match."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return VerifyResult(False, checked, event.pk, "the previous entry was altered or deleted")
        if crypto.chain_hmac(previous, _payload(event)) != event.hash:
            return VerifyResult(False, checked, event.pk, "this entry was altered")
        previous = event.hash
        checked += 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return VerifyResult(False, checked, None, "entries after the last one were deleted")
    if head is not None and head.count != checked:
        return VerifyResult(False, checked, None, f"the head counts {head.count} entries, the log holds {checked}")
    return VerifyResult(True, checked)
