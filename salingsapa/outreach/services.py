"""Writes of the mobile-counselling schedule: visits, team, slots, bookings, reminders.

Double booking is impossible by the database: ``Booking``'s partial unique index lets one active
booking hold a slot. :func:`booking_create` tries the next free slot and, when another request
won it in the meantime (``IntegrityError``), the next one, until none is left (``VisitFull``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from salingsapa.accounts.users import StaffUser
from salingsapa.core import crypto
from salingsapa.core.audit import audit_log
from salingsapa.core.identifiers import identifier_index
from salingsapa.core.models import Region
from salingsapa.intake.codenames import REFERENCE_ALPHABET, codename_for_key, codename_new, normalise_codename
from salingsapa.intake.schema import ContactIn
from salingsapa.intake.services import (
    CodenameAttemptsExceeded,
    IdempotencyConflict,
    codename_attempt,
    codename_attempts_blocked,
)
from salingsapa.notify.safetime import safe_hours
from salingsapa.notify.services import OutboundMessage, email_message, message_queue, sms_text, whatsapp_text
from salingsapa.outreach.models import Booking, Slot, TeamRole, Visit, VisitMember
from salingsapa.outreach.schema import (
    KIND_OF_REQUEST,
    BookingInput,
    RequestInput,
    booking_input,
    request_input,
)

REFERENCE_PREFIX = "KK"  # konseling keliling; a report's is "LP"

__all__ = [
    "CodenameAttemptsExceeded", "IdempotencyConflict", "codename_attempts_blocked", "VisitFull", "SlotTaken", "VisitNotOpen", "BookingReceipt",
    "visit_create", "visit_publish", "visit_cancel", "slots_generate", "booking_create", "request_create",
    "booking_cancel", "booking_done", "booking_move", "booking_for_codename", "booking_codename_login",
    "reminders_queue",
]


class VisitFull(Exception):
    """No free slot is left at this visit."""


class SlotTaken(Exception):
    """The chosen slot is no longer free (or is not a slot of this visit)."""


class VisitNotOpen(Exception):
    """The visit does not exist, is not published, or is over."""


@dataclass
class BookingReceipt:
    booking: Booking
    codename: str
    created: bool

    @property
    def reference(self) -> str:
        return self.booking.reference


def local_now() -> dt.datetime:
    return timezone.localtime()


def reference_new() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def normalise_reference(text: str) -> str:
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX):]
    if len(cleaned) != 8:
        return ""
    return f"{REFERENCE_PREFIX}-{cleaned[:4]}-{cleaned[4:]}"


# --- visits -----------------------------------------------------------------------------------


def visit_create(
    *,
    by: StaffUser,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    kelurahan: Region,
    venue_kind: str,
    venue_name: str,
    services: Sequence[str] = (),
    public_note: str = "",
    team: Iterable[tuple[StaffUser, str]] = (),
) -> Visit:
    """A draft visit with its team; publish it with :func:`visit_publish`."""
    if end_time <= start_time:
        raise ValueError("end_time must be after start_time")
    with transaction.atomic():
        visit = Visit.objects.create(
            date=date, start_time=start_time, end_time=end_time, kelurahan=kelurahan, venue_kind=venue_kind,
            venue_name=venue_name, services=list(services), public_note=public_note, created_by=by,
            created_at=timezone.now(),
        )
        visit_team_set(by=by, visit=visit, team=team, audit=False)
        audit_log(actor=by, action="create", object_type="visit", object_id=visit.pk,
                  detail={"kelurahan": kelurahan.code, "date": date.isoformat()})
    return visit


def visit_team_set(*, by: StaffUser, visit: Visit, team: Iterable[tuple[StaffUser, str]], audit: bool = True) -> None:
    """Replace the visit's team (a person once, with one role)."""
    members: dict[int, tuple[StaffUser, str]] = {}
    for user, role in team:
        if role not in TeamRole.values:
            raise ValueError(f"unknown team role {role!r}")
        members[user.pk] = (user, role)
    with transaction.atomic():
        VisitMember.objects.filter(visit=visit).exclude(user_id__in=list(members)).delete()
        for user, role in members.values():
            VisitMember.objects.update_or_create(visit=visit, user=user, defaults={"role": role})
        if audit:
            audit_log(actor=by, action="update", object_type="visit", object_id=visit.pk,
                      detail={"team": len(members)})


def visit_publish(*, by: StaffUser, visit: Visit) -> Visit:
    if visit.status == Visit.Status.CANCELLED:
        raise ValueError("a cancelled visit cannot be published")
    if visit.status != Visit.Status.PUBLISHED:
        visit.status = Visit.Status.PUBLISHED
        visit.published_at = timezone.now()
        visit.save(update_fields=["status", "published_at"])
        audit_log(actor=by, action="publish", object_type="visit", object_id=visit.pk)
    return visit


def visit_cancel(*, by: StaffUser, visit: Visit) -> int:
    """Cancel the visit and its active bookings; returns how many bookings were cancelled.

    People who left a contact are told through the reminder job (``reminder_via`` stays empty
    and the booking's public status page says the visit was cancelled)."""
    with transaction.atomic():
        visit.status = Visit.Status.CANCELLED
        visit.cancelled_at = timezone.now()
        visit.save(update_fields=["status", "cancelled_at"])
        cancelled = Booking.objects.filter(slot__visit=visit, status=Booking.Status.ACTIVE).update(
            status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
        audit_log(actor=by, action="cancel", object_type="visit", object_id=visit.pk,
                  detail={"bookings_cancelled": cancelled})
    return cancelled


BOOKABLE_ROLES = frozenset({TeamRole.COUNSELLOR, TeamRole.PSYCHOLOGIST, TeamRole.LEGAL_AID,
                            TeamRole.SOCIAL_WORKER, TeamRole.HEALTH_WORKER})


def slots_generate(*, by: StaffUser, visit: Visit, minutes: int = 30,
                   professionals: Sequence[StaffUser] | None = None) -> int:
    """Slots of ``minutes`` from the start to the end of the visit for each professional of the team
    (or those given). Existing slots are kept; returns how many were added."""
    if not 10 <= minutes <= 240:
        raise ValueError("minutes must be between 10 and 240")
    if professionals is None:
        professionals = [m.user for m in visit.team.select_related("user") if m.role in BOOKABLE_ROLES]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(visit.date, visit.start_time, tzinfo=tz)
    end = dt.datetime.combine(visit.date, visit.end_time, tzinfo=tz)
    step = dt.timedelta(minutes=minutes)
    added = 0
    with transaction.atomic():
        for person in professionals:
            at = start
            while at + step <= end:
                _, created = Slot.objects.get_or_create(
                    visit=visit, starts_at=at, professional=person, defaults={"minutes": minutes})
                added += int(created)
                at += step
        audit_log(actor=by, action="update", object_type="visit", object_id=visit.pk,
                  detail={"slots_added": added})
    return added


# --- bookings ---------------------------------------------------------------------------------


def _fingerprint(kind: str, target: Any, body: dict[str, Any]) -> str:
    text = json.dumps({"kind": kind, "target": target, **body}, sort_keys=True, default=str, ensure_ascii=False)
    return crypto.keyed_hash(text, purpose="booking-fingerprint")


def _key_index(key: str) -> str:
    return crypto.keyed_hash(key, purpose="booking-idempotency-key")


def _codename(key: str | None) -> str:
    # A booking's key gives another codename than the same key used for a report.
    return codename_for_key("booking:" + key) if key else codename_new()


def _replay(key: str, fingerprint: str) -> BookingReceipt | None:
    existing = Booking.objects.filter(idempotency_key=_key_index(key)).select_related("slot__visit").first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(key)
    return BookingReceipt(booking=existing, codename=_codename(key), created=False)


def open_visit(visit_id: int | str) -> Visit:
    """A published visit that is not over, else ``VisitNotOpen``."""
    try:
        visit = Visit.objects.get(pk=visit_id, status=Visit.Status.PUBLISHED)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise VisitNotOpen from None
    if visit.date < local_now().date():
        raise VisitNotOpen
    return visit


def free_slots(visit: Visit) -> list[Slot]:
    """The visit's slots that have not started and that no active booking holds, soonest first."""
    return list(
        Slot.objects.filter(visit=visit, starts_at__gt=timezone.now())
        .exclude(bookings__status=Booking.Status.ACTIVE)
        .order_by("starts_at", "id")
    )


def _contact_fields(contact: ContactIn | None) -> dict[str, Any]:
    if contact is None:
        return {}
    phone = contact.phone_e164
    return {
        "contact_name": contact.name, "contact_phone": phone, "contact_email": contact.email,
        "contact_phone_index": identifier_index("phone", phone) if phone else "",
        "preferred_channel": contact.preferred_channel or "", "safe_time": contact.safe_time,
    }


def _reminder_due(booking: Booking, slot: Slot | None) -> dt.datetime | None:
    if slot is None or booking.anonymous or booking.preferred_channel in {"", "none"}:
        return None
    due = slot.starts_at - dt.timedelta(hours=settings.OUTREACH_REMINDER_HOURS)
    return max(due, timezone.now())


def booking_create(
    *, visit_id: int | str, data: BookingInput | Mapping[str, Any], idempotency_key: str | None = None,
) -> BookingReceipt:
    """Book a slot of a published visit (the chosen one, or the next free one).

    Raises ``BookingInvalid`` (bad input), ``VisitNotOpen``, ``VisitFull``, ``SlotTaken``
    or ``IdempotencyConflict`` (the key was used for another request)."""
    clean = booking_input(data)
    key = (idempotency_key or "").strip()[:200] or None
    fingerprint = _fingerprint("slot", str(visit_id), clean.model_dump(mode="json"))
    if key:
        replay = _replay(key, fingerprint)
        if replay is not None:
            return replay
    visit = open_visit(visit_id)
    codename = _codename(key)
    codename_hash = crypto.hash_codename(codename)  # slow by design: outside the transaction
    tried: set[int] = set()
    while True:
        candidates = [s for s in free_slots(visit) if s.pk not in tried]
        if clean.slot_id is not None:
            candidates = [s for s in candidates if s.pk == clean.slot_id]
            if not candidates:
                raise SlotTaken
        if not candidates:
            raise VisitFull
        slot = candidates[0]
        try:
            with transaction.atomic():
                booking = _booking_insert(kind=Booking.Kind.SLOT, slot=slot, anonymous=clean.anonymous,
                                          contact=clean.contact, topic=clean.topic, key=key,
                                          fingerprint=fingerprint, codename_hash=codename_hash)
        except IntegrityError:
            if key:
                replay = _replay(key, fingerprint)
                if replay is not None:
                    return replay
            tried.add(slot.pk)  # another request won this slot: the next one
            continue
        return BookingReceipt(booking=booking, codename=codename, created=True)


def request_create(*, data: RequestInput | Mapping[str, Any], idempotency_key: str | None = None) -> BookingReceipt:
    """A request for a visit (school, kelurahan) or for a call-back; no slot is held."""
    clean = request_input(data)
    key = (idempotency_key or "").strip()[:200] or None
    fingerprint = _fingerprint(clean.kind, "", clean.model_dump(mode="json"))
    if key:
        replay = _replay(key, fingerprint)
        if replay is not None:
            return replay
    kelurahan = None
    if clean.kelurahan_code:
        kelurahan = Region.objects.filter(code=clean.kelurahan_code, level=Region.Level.VILLAGE).first()
    codename = _codename(key)
    codename_hash = crypto.hash_codename(codename)
    try:
        with transaction.atomic():
            booking = _booking_insert(
                kind=KIND_OF_REQUEST[clean.kind], slot=None, anonymous=clean.anonymous, contact=clean.contact,
                topic=clean.topic, key=key, fingerprint=fingerprint, codename_hash=codename_hash,
                extra={"requested_kelurahan": kelurahan, "requested_venue_kind": clean.venue_kind,
                       "requested_venue_name": clean.venue_name, "requested_when": clean.when},
            )
    except IntegrityError:
        if key:
            replay = _replay(key, fingerprint)
            if replay is not None:
                return replay
        raise
    return BookingReceipt(booking=booking, codename=codename, created=True)


def _booking_insert(*, kind: str, slot: Slot | None, anonymous: bool, contact: ContactIn | None, topic: str,
                    key: str | None, fingerprint: str, codename_hash: str,
                    extra: dict[str, Any] | None = None) -> Booking:
    reference = reference_new()
    while Booking.objects.filter(reference=reference).exists():
        reference = reference_new()
    booking = Booking(
        reference=reference, kind=kind, slot=slot, created_at=timezone.now(), anonymous=anonymous,
        topic=topic, codename_hash=codename_hash, idempotency_key=_key_index(key) if key else None,
        request_fingerprint=fingerprint, **_contact_fields(None if anonymous else contact), **(extra or {}),
    )
    booking.reminder_due_at = _reminder_due(booking, slot)
    booking.save(force_insert=True)
    audit_log(actor=None, action="create", object_type="booking", object_id=booking.pk,
              detail={"kind": kind, "anonymous": anonymous, "visit": slot.visit_id if slot else None})
    return booking


def booking_for_codename(*, reference: str, codename: str) -> Booking | None:
    """The booking with this reference when the codename matches (slow hash), else ``None``."""
    ref = normalise_reference(reference)
    if not ref:
        crypto.verify_codename(_DUMMY_HASH(), codename)  # same cost either way
        return None
    booking = Booking.objects.filter(reference=ref).select_related("slot__visit__kelurahan").first()
    if booking is None or not booking.codename_hash:
        crypto.verify_codename(_DUMMY_HASH(), codename)
        return None
    if not crypto.verify_codename(booking.codename_hash, normalise_codename(codename)):
        return None
    return booking


def booking_codename_login(*, client: str, reference: str, codename: str) -> Booking | None:
    """:func:`booking_for_codename` under the codename rate limits a report's check counts against
    too (``intake.services.codename_attempt``); raises ``CodenameAttemptsExceeded``."""
    return codename_attempt(client=client, reference=reference,
                            check=lambda: booking_for_codename(reference=reference, codename=codename))


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802
    if not _dummy:
        _dummy.append(crypto.hash_codename(codename_new()))
    return _dummy[0]


def booking_cancel(*, booking: Booking, by: Any = None) -> Booking:
    """Cancel by the person (reference + codename) or by staff; the slot is free again at once."""
    if booking.status == Booking.Status.ACTIVE:
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.reminder_due_at = None
        booking.save(update_fields=["status", "cancelled_at", "reminder_due_at"])
        audit_log(actor=by, action="cancel", object_type="booking", object_id=booking.pk)
    return booking


def booking_done(*, booking: Booking, by: Any = None) -> Booking:
    """The appointment took place (marked by the professional or a planner)."""
    if booking.status == Booking.Status.ACTIVE:
        booking.status = Booking.Status.DONE
        booking.reminder_due_at = None
        booking.save(update_fields=["status", "reminder_due_at"])
        audit_log(actor=by, action="done", object_type="booking", object_id=booking.pk)
    return booking


def booking_move(*, booking: Booking, slot_id: int, by: Any = None) -> Booking:
    """Move an active slot booking to another free slot of a published, upcoming visit.

    Raises ``SlotTaken`` when that slot is not free (the database decides), ``VisitNotOpen``."""
    if booking.status != Booking.Status.ACTIVE or booking.kind != Booking.Kind.SLOT:
        raise SlotTaken
    slot = Slot.objects.filter(pk=slot_id, starts_at__gt=timezone.now()).select_related("visit").first()
    if slot is None:
        raise SlotTaken
    open_visit(slot.visit_id)
    old = booking.slot_id
    booking.slot = slot
    booking.reminder_due_at = _reminder_due(booking, slot)
    booking.reminder_sent_at = None
    try:
        with transaction.atomic():
            booking.save(update_fields=["slot", "reminder_due_at", "reminder_sent_at"])
            audit_log(actor=by, action="move", object_type="booking", object_id=booking.pk,
                      detail={"from_slot": old, "to_slot": slot.pk})
    except IntegrityError:
        booking.slot_id = old
        raise SlotTaken from None
    return booking


# --- reminders --------------------------------------------------------------------------------


def reminders_queue(*, now: dt.datetime | None = None) -> int:
    """Queue the reminders that are due (periodic job ``visit-reminders``); returns how many.

    Each due booking is claimed by a conditional UPDATE (``reminder_sent_at`` still empty), so two
    workers never send one reminder twice; the message is queued in the same transaction."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.ACTIVE, reminder_due_at__lte=now, reminder_sent_at__isnull=True,
        slot__starts_at__gt=now,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not claimed:
                continue
            booking = Booking.objects.select_related("slot__visit").get(pk=pk)
            via = _send_reminder(booking)
            Booking.objects.filter(pk=pk).update(reminder_via=via)
            audit_log(actor="system:visit-reminders", action="remind", object_type="booking", object_id=pk,
                      detail={"via": via})
            sent += 1
    return sent


REMINDER_PURPOSE = "visit_reminder"
# Neutral on purpose: a phone may be read by someone else. No service, place or purpose; the time and
# the reference only. Bahasa Indonesia (the person's language is not recorded).
REMINDER_TEXT = "Pengingat: Anda punya janji pada {date} pukul {time}. Nomor janji: {reference}."
REMINDER_CHANNELS = frozenset({"whatsapp", "sms", "email"})


def _send_reminder(booking: Booking) -> str:
    """Queue the reminder by the person's chosen channel, in their safe hours (``notify``); returns
    the channel, or ``in_app`` when there is no channel to write to (a phone-call preference, an
    address the channel cannot take, a do-not-contact block): the booking's own page then shows it."""
    channel = booking.preferred_channel
    address = booking.contact_email if channel == "email" else booking.contact_phone
    if channel not in REMINDER_CHANNELS or not address or booking.slot is None:
        return "in_app"
    when = timezone.localtime(booking.slot.starts_at)
    body = REMINDER_TEXT.format(date=when.strftime("%d-%m-%Y"), time=when.strftime("%H.%M"),
                                reference=booking.reference)
    if channel == "whatsapp":
        content = whatsapp_text(body)
    elif channel == "sms":
        content = sms_text(body)
    else:
        content = email_message("Pengingat janji", body)
    try:
        message = message_queue(channel=channel, address=address, content=content, purpose=REMINDER_PURPOSE,
                                reference=booking.reference, hours=safe_hours(booking.safe_time))
    except ValueError:  # an address this channel cannot take
        return "in_app"
    if message.status == OutboundMessage.Status.BLOCKED:
        return "in_app"
    return channel
