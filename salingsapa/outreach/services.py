"""Writes of the mobile-counselling schedule: visits, team, slots, bookings, reminders.

Double booking is impossible by the database: ``Booking``'s partial unique index lets one active
booking hold a slot. :func:`booking_create` tries the next free slot and, when another request
won it in the meantime (``IntegrityError``), the next one, until none is left (``VisitFull``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from salingsapa.accounts.users import StaffUser
from salingsapa.core import crypto
from salingsapa.core.audit import audit_log
from salingsapa.core.identifiers import identifier_index
from salingsapa.core.models import Region
from salingsapa.intake import codenames
from salingsapa.intake.codenames import Receipt, codename_for_key, codename_matches, codename_new
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
    "IdempotencyConflict", "CodenameAttemptsExceeded", "VisitFull", "SlotTaken", "VisitNotOpen", "VisitConflict",
    "VisitEditRefused", "BookingReceipt", "codename_attempts_blocked", "visit_create", "visit_update", "visit_publish", "visit_unpublish",
    "visit_cancel", "slots_generate", "booking_create", "request_create", "booking_cancel", "booking_done",
    "booking_move", "booking_for_codename", "booking_codename_login", "booking_language", "reminders_queue",
]


class VisitFull(Exception):
    """No free slot is left at this visit."""


class SlotTaken(Exception):
    """The chosen slot is no longer free (or is not a slot of this visit)."""


class VisitNotOpen(Exception):
    """The visit does not exist, is not published, or is over."""


class VisitConflict(Exception):
    """Someone else changed the visit since the form was opened (``expected_version``); nothing was written."""


class VisitEditRefused(ValueError):
    """The change cannot be made; ``message`` says why, in the active language."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the form field it concerns, if one


class BookingReceipt(Receipt[Booking]):
    @property
    def booking(self) -> Booking:
        return self.record


def local_now() -> dt.datetime:
    return timezone.localtime()


def reference_new() -> str:
    return codenames.reference_new(REFERENCE_PREFIX)


def normalise_reference(text: str) -> str:
    return codenames.normalise_reference(text, REFERENCE_PREFIX)


def booking_language(language: str | None) -> str:
    """The language a booking's messages are written in: a code of ``settings.LANGUAGES`` for ``language``
    (``en-US`` → ``en``), Indonesian when it is missing or not one the service writes in."""
    try:
        return translation.get_supported_language_variant((language or "").strip()[:20] or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


# --- visits -----------------------------------------------------------------------------------


class VisitFields(TypedDict):
    """What a planner says about a visit (``visit_create``, ``visit_update``)."""

    date: dt.date
    start_time: dt.time
    end_time: dt.time
    kelurahan: Region
    venue_kind: str
    venue_name: str
    services: NotRequired[Sequence[str]]
    public_note: NotRequired[str]


def visit_create(*, by: StaffUser, team: Iterable[tuple[StaffUser, str]] = (), **fields: Unpack[VisitFields]) -> Visit:
    """A draft visit with its team; publish it with :func:`visit_publish`."""
    if fields["end_time"] <= fields["start_time"]:
        raise ValueError("end_time must be after start_time")
    with transaction.atomic():
        visit = Visit.objects.create(
            **{**fields, "services": list(fields.get("services", ()))}, created_by=by, created_at=timezone.now())
        visit_team_set(by=by, visit=visit, team=team, audit=False)
        audit_log(actor=by, action="create", object_type="visit", object_id=visit.pk,
                  detail={"kelurahan": visit.kelurahan.code, "date": visit.date.isoformat()})
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


def _bump(visit: Visit, expected_version: int | None, **fields: Any) -> None:
    """Write ``fields`` on the visit only if nobody changed it since ``expected_version`` (as
    ``cases.services._bump``): two tabs never silently overwrite each other."""
    version = visit.version if expected_version is None else int(expected_version)
    if not Visit.objects.filter(pk=visit.pk, version=version).update(version=F("version") + 1, **fields):
        raise VisitConflict
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.version = version + 1


def visit_publish(*, by: StaffUser, visit: Visit, expected_version: int | None = None) -> Visit:
    if visit.status == Visit.Status.CANCELLED:
        raise VisitEditRefused(gettext("Kunjungan yang dibatalkan tidak bisa diumumkan."))
    if visit.status != Visit.Status.PUBLISHED:
        with transaction.atomic():
            _bump(visit, expected_version, status=Visit.Status.PUBLISHED, published_at=timezone.now())
            audit_log(actor=by, action="publish", object_type="visit", object_id=visit.pk)
    return visit


def visit_unpublish(*, by: StaffUser, visit: Visit, expected_version: int | None = None) -> Visit:
    """Take the visit off the public schedule (a draft again). Its bookings stay: the people who booked
    keep their appointment and see it with their codename; nobody new can book."""
    if visit.status == Visit.Status.PUBLISHED:
        with transaction.atomic():
            _bump(visit, expected_version, status=Visit.Status.DRAFT)
            audit_log(actor=by, action="unpublish", object_type="visit", object_id=visit.pk)
    return visit


def visit_cancel(*, by: StaffUser, visit: Visit, expected_version: int | None = None) -> int:
    """Cancel the visit and its active bookings; returns how many bookings were cancelled.

    Each person who left a contact is told in their language, by their channel and in their safe hours
    (``notify``); every cancelled booking's page says that the visit was cancelled (``visit_changed_at``),
    which is how a person who booked anonymously learns it when they check with their codename."""
    if visit.status == Visit.Status.CANCELLED:
        return 0
    now = timezone.now()
    with transaction.atomic():
        _bump(visit, expected_version, status=Visit.Status.CANCELLED, cancelled_at=now)
        bookings = list(Booking.objects.select_for_update().filter(slot__visit=visit, status=Booking.Status.ACTIVE)
                        .select_related("slot"))
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
            status=Booking.Status.CANCELLED, cancelled_at=now, visit_changed_at=now, reminder_due_at=None)
        told = sum(_notice_send(b, CANCELLED_TEXT, purpose=CANCEL_PURPOSE) != "in_app" for b in bookings)
        audit_log(actor=by, action="cancel", object_type="visit", object_id=visit.pk,
                  detail={"bookings_cancelled": len(bookings), "notified": told})
    return len(bookings)


@dataclass
class VisitChange:
    """What :func:`visit_update` changed: the names of the fields, the bookings whose time or place moved,
    and how many of those people were sent a message (the others see it with their codename)."""

    fields: list[str]
    moved: int
    notified: int


EDITABLE = ("date", "start_time", "end_time", "kelurahan", "venue_kind", "venue_name", "services", "public_note")
PLACE_FIELDS = frozenset({"kelurahan", "venue_kind", "venue_name"})


def visit_update(
    *, by: StaffUser, visit: Visit, expected_version: int | None, team: Iterable[tuple[StaffUser, str]] = (),
    slot_count: int | None = None, minutes: int | None = None, publish: bool | None = None,
    **fields: Unpack[VisitFields],
) -> VisitChange:
    """Change a visit that is not cancelled and not over: time window, place, services and note (omitted:
    kept), team, the number of private slots (``slot_count``; ``None`` keeps it) and, with ``publish``,
    whether it is on the public schedule.

    Booked slots move with the visit (the same offset from its start); a slot count below the booked
    ones, or a booked slot that no longer fits the hours, is refused (``VisitEditRefused``, nothing
    written). The people whose appointment moved (time or place) are told as on cancellation.
    ``VisitConflict`` when someone else changed the visit since ``expected_version``."""
    if visit.status == Visit.Status.CANCELLED:
        raise VisitEditRefused(gettext("Kunjungan yang dibatalkan tidak bisa diubah."))
    if visit.date < local_now().date():
        raise VisitEditRefused(gettext("Kunjungan yang sudah lewat tidak bisa diubah."))
    if fields["end_time"] <= fields["start_time"]:
        raise VisitEditRefused(gettext("Jam selesai harus setelah jam mulai."), field="end_time")
    if slot_count is not None and slot_count < 0:
        raise VisitEditRefused(gettext("Jumlah slot tidak boleh negatif."), field="slot_count")
    new: dict[str, Any] = {name: fields.get(name, getattr(visit, name)) for name in EDITABLE}
    new["services"] = list(new["services"])
    changed = [name for name in EDITABLE if getattr(visit, name) != new[name]]
    old_start = _visit_start(visit)
    now = timezone.now()
    with transaction.atomic():
        _bump(visit, expected_version, **new)
        team_before = sorted(visit.team.values_list("user_id", "role"))
        visit_team_set(by=by, visit=visit, team=team, audit=False)
        if sorted(visit.team.values_list("user_id", "role")) != team_before:
            changed.append("team")
        moved_slots, slots_changed = _slots_fit(visit=visit, old_start=old_start, slot_count=slot_count,
                                                minutes=minutes, rebuild="team" in changed)
        if slots_changed:
            changed.append("slots")
        bookings = Booking.objects.select_for_update().filter(slot__visit=visit, status=Booking.Status.ACTIVE)
        if not PLACE_FIELDS & set(changed):
            bookings = bookings.filter(slot_id__in=moved_slots)
        moved = list(bookings.select_related("slot"))
        for booking in moved:
            booking.visit_changed_at = now
            booking.reminder_due_at = _reminder_due(booking, booking.slot)
            booking.reminder_sent_at = None
            booking.save(update_fields=["visit_changed_at", "reminder_due_at", "reminder_sent_at"])
        told = sum(_notice_send(b, MOVED_TEXT, purpose=CHANGE_PURPOSE) != "in_app" for b in moved)
        if publish is True and visit.status == Visit.Status.DRAFT:
            _bump(visit, None, status=Visit.Status.PUBLISHED, published_at=visit.published_at or now)
            changed.append("published")
        elif publish is False and visit.status == Visit.Status.PUBLISHED:
            _bump(visit, None, status=Visit.Status.DRAFT)
            changed.append("unpublished")
        audit_log(actor=by, action="update", object_type="visit", object_id=visit.pk,
                  detail={"changed": changed, "bookings_moved": len(moved), "notified": told})
    return VisitChange(fields=changed, moved=len(moved), notified=told)


def _visit_start(visit: Visit) -> dt.datetime:
    return dt.datetime.combine(visit.date, visit.start_time, tzinfo=timezone.get_current_timezone())


PARKED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # where free slots wait while the booked ones move (one transaction)


def _slots_fit(*, visit: Visit, old_start: dt.datetime, slot_count: int | None, minutes: int | None,
               rebuild: bool) -> tuple[set[int], bool]:
    """Move the visit's slots with its new start and make their number ``slot_count``; returns the ids of the
    booked slots whose time changed, and whether the slots changed at all.

    A slot an active booking holds keeps its offset from the start of the visit and its professional; the
    free slots are laid again on the grid of the new hours (``minutes`` long, each bookable team member; a
    free slot already on the grid keeps its id, so a person choosing it on the public page is not disturbed).
    A free slot that was booked once (a cancelled booking points at it) cannot be deleted: it is reused."""
    start = _visit_start(visit)
    end = dt.datetime.combine(visit.date, visit.end_time, tzinfo=start.tzinfo)
    delta = start - old_start
    slots = list(visit.slots.order_by("starts_at", "id"))
    held_ids = set(Booking.objects.filter(slot__visit=visit, status=Booking.Status.ACTIVE).values_list("slot_id", flat=True))
    used_ids = set(Booking.objects.filter(slot__visit=visit).values_list("slot_id", flat=True))
    held = [s for s in slots if s.pk in held_ids]
    free = [s for s in slots if s.pk not in held_ids]
    count = len(slots) if slot_count is None else slot_count
    step = minutes or (free[0].minutes if free else held[0].minutes if held else 30)
    if count < len(held):
        raise VisitEditRefused(gettext("Jumlah slot tidak boleh kurang dari janji yang sudah dipesan (%(n)d).")
                               % {"n": len(held)}, field="slot_count")
    for slot in held:
        at = slot.starts_at + delta
        if at < start or at + dt.timedelta(minutes=slot.minutes) > end:
            raise VisitEditRefused(gettext(
                "Janji pukul %(time)s tidak muat di jam kunjungan yang baru. Ubah jamnya, atau pindahkan atau "
                "batalkan janji itu dulu.") % {"time": timezone.localtime(at).strftime("%H.%M")}, field="start_time")
    if not delta and count == len(slots) and not rebuild and (minutes is None or all(s.minutes == step for s in free)):
        return set(), False  # nothing that touches the slots
    grid = _grid(visit, start, end, step, [(s.starts_at + delta, s.minutes, s.professional_id) for s in held])
    if len(grid) < count - len(held):
        raise VisitEditRefused(gettext("Jam kunjungan ini hanya cukup untuk %(n)d slot.") % {"n": len(grid) + len(held)}, field="slot_count")
    wanted = grid[:count - len(held)]
    # free slots already on the grid keep their place; the others are reused (if booked once) or deleted
    on_grid = {(s.starts_at + delta, s.professional_id): s for s in free if s.minutes == step}
    keep = {pos: on_grid[pos] for pos in wanted if pos in on_grid}
    spare = [s for s in free if s not in keep.values() and s.pk in used_ids]
    places = [pos for pos in wanted if pos not in keep]
    if len(spare) > len(places):
        raise VisitEditRefused(gettext("Jumlah slot tidak bisa sekecil itu: %(n)d slot menyimpan riwayat janji yang "
                                       "sudah dibatalkan.") % {"n": len(spare) + len(keep) + len(held)}, field="slot_count")
    Slot.objects.filter(pk__in=[s.pk for s in free if s not in keep.values() and s.pk not in used_ids]).delete()
    moving = [*keep.values(), *spare]
    for i, slot in enumerate(moving):  # out of the way of the booked slots' new times
        Slot.objects.filter(pk=slot.pk).update(starts_at=PARKED + dt.timedelta(minutes=i))
    for slot in sorted(held, key=lambda s: s.starts_at, reverse=delta > dt.timedelta(0)):
        if delta:
            Slot.objects.filter(pk=slot.pk).update(starts_at=slot.starts_at + delta)
    for pos, slot in [*keep.items(), *zip(places, spare, strict=False)]:
        Slot.objects.filter(pk=slot.pk).update(starts_at=pos[0], professional_id=pos[1], minutes=step)
    Slot.objects.bulk_create([Slot(visit=visit, starts_at=at, professional_id=pro, minutes=step)
                              for at, pro in places[len(spare):]])
    return ({s.pk for s in held} if delta else set()), True


def _grid(visit: Visit, start: dt.datetime, end: dt.datetime, minutes: int,
          held: list[tuple[dt.datetime, int, int | None]]) -> list[tuple[dt.datetime, int | None]]:
    """The free places of the visit's hours, soonest first: every ``minutes`` for each bookable team member
    (one unnamed professional when the team has none), minus those overlapping a booked slot of theirs."""
    people: list[int | None] = [m.user_id for m in visit.team.order_by("id") if m.role in BOOKABLE_ROLES] or [None]
    step = dt.timedelta(minutes=minutes)
    places = []
    at = start
    while at + step <= end:
        for person in people:
            busy = any(pro == person and at < h_at + dt.timedelta(minutes=h_min) and h_at < at + step
                       for h_at, h_min, pro in held)
            if not busy:
                places.append((at, person))
        at += step
    return places


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
    return BookingReceipt(existing, _codename(key), created=False)


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
    language: str | None = None,
) -> BookingReceipt:
    """Book a slot of a published visit (the chosen one, or the next free one). ``language``: the person's
    (the web page's, the API's ``Accept-Language``, the WhatsApp conversation's); reminders and notices of
    a change are written in it (:func:`booking_language`; Indonesian when missing).

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
                                          fingerprint=fingerprint, codename_hash=codename_hash, language=language)
        except IntegrityError:
            if key:
                replay = _replay(key, fingerprint)
                if replay is not None:
                    return replay
            tried.add(slot.pk)  # another request won this slot: the next one
            continue
        return BookingReceipt(booking, codename, created=True)


def request_create(*, data: RequestInput | Mapping[str, Any], idempotency_key: str | None = None,
                   language: str | None = None) -> BookingReceipt:
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
                topic=clean.topic, key=key, fingerprint=fingerprint, codename_hash=codename_hash, language=language,
                extra={"requested_kelurahan": kelurahan, "requested_venue_kind": clean.venue_kind,
                       "requested_venue_name": clean.venue_name, "requested_when": clean.when},
            )
    except IntegrityError:  # the same key, sent twice at once: the other request's receipt
        replay = _replay(key, fingerprint) if key else None
        if replay is None:
            raise
        return replay
    return BookingReceipt(booking, codename, created=True)


def _booking_insert(*, kind: str, slot: Slot | None, anonymous: bool, contact: ContactIn | None, topic: str,
                    key: str | None, fingerprint: str, codename_hash: str, language: str | None = None,
                    extra: dict[str, Any] | None = None) -> Booking:
    reference = reference_new()
    while Booking.objects.filter(reference=reference).exists():
        reference = reference_new()
    booking = Booking(
        reference=reference, kind=kind, slot=slot, created_at=timezone.now(), anonymous=anonymous,
        topic=topic, codename_hash=codename_hash, idempotency_key=_key_index(key) if key else None,
        request_fingerprint=fingerprint, language=booking_language(language),
        **_contact_fields(None if anonymous else contact), **(extra or {}),
    )
    booking.reminder_due_at = _reminder_due(booking, slot)
    booking.save(force_insert=True)
    audit_log(actor=None, action="create", object_type="booking", object_id=booking.pk,
              detail={"kind": kind, "anonymous": anonymous, "visit": slot.visit_id if slot else None})
    return booking


def booking_for_codename(*, reference: str, codename: str) -> Booking | None:
    """The booking with this reference when the codename matches (slow hash, as slow without a match), else ``None``."""
    ref = normalise_reference(reference)
    booking = Booking.objects.filter(reference=ref).select_related("slot__visit__kelurahan").first() if ref else None
    if not codename_matches(booking.codename_hash if booking else "", codename):
        return None
    return booking


def booking_codename_login(*, client: str, reference: str, codename: str) -> Booking | None:
    """:func:`booking_for_codename` under the codename rate limits a report's check counts against
    too (``intake.services.codename_attempt``); raises ``CodenameAttemptsExceeded``."""
    return codename_attempt(client=client, reference=reference,
                            check=lambda: booking_for_codename(reference=reference, codename=codename))



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
CHANGE_PURPOSE = "visit_changed"
CANCEL_PURPOSE = "visit_cancelled"
# Neutral on purpose: a phone may be read by someone else. No service, place or purpose; the time and
# the reference only. Written in the language the person booked in (``Booking.language``).
REMINDER_TEXT = N_("Pengingat: Anda punya janji pada {date} pukul {time}. Nomor janji: {reference}.")
MOVED_TEXT = N_("Ada perubahan pada janji Anda: sekarang pada {date} pukul {time}. Lihat rinciannya dengan nomor "
                "janji {reference} dan kode rahasia Anda.")
CANCELLED_TEXT = N_("Maaf, janji Anda pada {date} pukul {time} dibatalkan. Nomor janji: {reference}. "
                    "Anda bisa memilih jadwal lain.")
SUBJECTS = {REMINDER_TEXT: N_("Pengingat janji"), MOVED_TEXT: N_("Perubahan janji"), CANCELLED_TEXT: N_("Janji dibatalkan")}
REMINDER_CHANNELS = frozenset({"whatsapp", "sms", "email"})


def _send_reminder(booking: Booking) -> str:
    return _notice_send(booking, REMINDER_TEXT, purpose=REMINDER_PURPOSE)


def _notice_send(booking: Booking, text: str, *, purpose: str) -> str:
    """Queue ``text`` (a reminder, a change, a cancellation) by the person's chosen channel, in their safe
    hours (``notify``) and in their language; returns the channel, or ``in_app`` when there is no channel to
    write to (anonymous, a phone-call preference, an address the channel cannot take, a do-not-contact
    block): the booking's own page then shows it."""
    channel = booking.preferred_channel
    address = booking.contact_email if channel == "email" else booking.contact_phone
    if booking.anonymous or channel not in REMINDER_CHANNELS or not address or booking.slot is None:
        return "in_app"
    when = timezone.localtime(booking.slot.starts_at)
    with translation.override(booking_language(booking.language)):
        body = gettext(text).format(date=when.strftime("%d-%m-%Y"), time=when.strftime("%H.%M"),
                                    reference=booking.reference)
        subject = gettext(SUBJECTS[text])
    if channel == "whatsapp":
        content = whatsapp_text(body)
    elif channel == "sms":
        content = sms_text(body)
    else:
        content = email_message(subject, body)
    try:
        message = message_queue(channel=channel, address=address, content=content, purpose=purpose,
                                reference=booking.reference, hours=safe_hours(booking.safe_time))
    except ValueError:  # an address this channel cannot take
        return "in_app"
    if message.status == OutboundMessage.Status.BLOCKED:
        return "in_app"
    return channel
