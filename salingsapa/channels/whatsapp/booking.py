"""WhatsApp "Konseling keliling": the schedule, booking a private slot, and the person's own booking.

The person picks a visit from a numbered list (an interactive list; typing the number works too),
a time when the visit has more than one free slot, and whether to stay anonymous or be reminded on
this WhatsApp number (with a safe time); confirms; and gets the reference and the codename once.
Any answer that is not understood asks the same question again.

The booking is made by ``outreach.services.booking_create``, the web page's and the API's service:
the same schema, the same partial unique index (the last slot cannot be booked twice) and the same
idempotency — the flow's key is a random token kept in the sealed conversation state until the
booking is made and dropped then (the codename can be derived from it). A visit that is full gets
a clear message and the next visit with a free slot. ``JANJI`` (or the list's last row) opens a
booking with its reference and codename (``outreach.booking_codename_login``: the codename limits a report's
check counts against too) to see or cancel it.

The number is stored — sealed and blind-indexed, by the service — only when the person asks to be
reminded, never on an anonymous booking, and not offered at all when staff marked it "do not
contact". Nothing here logs a number or a text.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from salingsapa.channels.whatsapp.check import CodenameDoor, door_codename, door_reference, door_start
from salingsapa.channels.whatsapp.turn import (
    CHECKED_IDLE_SECONDS,
    NO,
    SKIP,
    YES,
    Turn,
    keyword,
    open_for,
    opened,
    show_menu,
)
from salingsapa.intake import ratelimit
from salingsapa.notify.services import address_may_contact
from salingsapa.outreach import services as outreach
from salingsapa.outreach.models import Booking, Slot, TeamRole, Visit
from salingsapa.outreach.schema import BookingInvalid
from salingsapa.outreach.selectors import visit_public, visits_upcoming

VISITS_SHOWN = 5
SLOTS_SHOWN = 9  # and "the first free time": ten rows, the list's limit
STEPS = ("book:", "booking:")
# The flow's keys in the conversation state (dropped by ``reset``).
STATE_KEYS = ("book", "booking_reference")
ANONYMOUS_WORDS = {"1", "TANPA NAMA", "ANONIM", "ANONYMOUS", "NO NAME"}
CONTACT_WORDS = {"2", "INGATKAN", "KONTAK", "HUBUNGI", "CONTACT", "REMIND", "REMIND ME"}
SEND_WORDS = YES | {"KIRIM", "PESAN", "SEND", "BOOK", "OK", "OKE"}


def reset(state: dict[str, Any]) -> None:
    for key in STATE_KEYS:
        state.pop(key, None)
    if str(state.get("step", "")).startswith(STEPS):
        state.pop("step", None)


def in_flow(state: dict[str, Any]) -> bool:
    """A slot is being chosen (nothing is booked yet)."""
    return str(state.get("step", "")).startswith("book:") and bool(state.get("book"))


# --- words ---------------------------------------------------------------------------------------


def _place(visit: Visit) -> str:
    return _("%(venue)s, Kel. %(kelurahan)s") % {"venue": visit.venue_name, "kelurahan": visit.kelurahan.name.title()}


def _when(visit: Visit) -> str:
    return f"{date_format(visit.date, 'l, j F')} · {visit.start_time:%H.%M}–{visit.end_time:%H.%M}"


def _free(visit: Visit) -> str:
    n_free = int(getattr(visit, "free_slots", 0))  # annotated by visits_upcoming
    if not n_free:
        return _("penuh")
    return ngettext("%(n)d jadwal pribadi kosong", "%(n)d jadwal pribadi kosong", n_free) % {"n": n_free}


def _time(slot: Slot) -> str:
    return f"{timezone.localtime(slot.starts_at):%H.%M}"


def _slot_when(slot: Slot) -> str:
    at = timezone.localtime(slot.starts_at)
    return _("%(date)s, pukul %(time)s") % {"date": date_format(at.date(), "l, j F Y"), "time": f"{at:%H.%M}"}


def _not_understood(turn: Turn) -> None:
    turn.say(_("Maaf, pilihan itu tidak kami kenali. Pilih dari daftar, atau ketik nomornya."))


# --- the schedule and the choice of a visit ------------------------------------------------------


def schedule(turn: Turn) -> None:
    """The next published visits, numbered, then a list to pick one (the menu's "Konseling keliling")."""
    reset(turn.state)
    visits = list(visits_upcoming(limit=VISITS_SHOWN))
    lines = [_("Konseling keliling: konselor, psikolog, dan pendamping hukum datang ke kelurahan dan sekolah. "
               "Gratis dan rahasia.")]
    if not visits:
        lines.append(_("Belum ada jadwal kunjungan yang diumumkan."))
    for n, visit in enumerate(visits, start=1):
        lines.append(f"{n}. {_when(visit)}\n   {_place(visit)}\n   {_free(visit)}")
    lines.append(_("Sudah punya janji? Ketik JANJI untuk melihat atau membatalkannya. Jadwal lengkap juga ada di "
                   "halaman Konseling Keliling situs Saling Sapa (/konseling-keliling/). Ketik MENU untuk kembali."))
    turn.say("\n".join(lines))
    if visits:
        _visit_list(turn, visits)


def _visit_list(turn: Turn, visits: list[Visit]) -> None:
    turn.state["step"] = "book:visit"
    turn.state["book"] = {"visits": [v.pk for v in visits]}
    rows = [(f"kk:v:{v.pk}", f"{n}. {date_format(v.date, 'D j M')} · {v.start_time:%H.%M}",
             f"{_place(v)} · {_free(v)}") for n, v in enumerate(visits, start=1)]
    rows.append(("kk:mine", _("Janji saya"), _("Lihat atau batalkan janji dengan kode rahasia")))
    turn.rows(
        _("Mau bertemu konselor atau psikolog secara pribadi? Pilih kunjungan (atau ketik nomornya), lalu pilih "
          "tanpa nama atau dengan pengingat."), _("Pilih kunjungan"), rows)


def _visit_answer(turn: Turn) -> None:
    msg, book = turn.message, turn.state.get("book") or {}
    word = keyword(msg)
    offered = [int(pk) for pk in book.get("visits", [])]
    if book.get("offer") and word in YES:
        _visit_chosen(turn, int(book["offer"]))
        return
    if word.isdigit() and 1 <= int(word) <= len(offered):
        _visit_chosen(turn, offered[int(word) - 1])
        return
    _not_understood(turn)
    reask(turn)


def _visit_chosen(turn: Turn, visit_id: int) -> None:
    visit = visit_public(visit_id)
    if visit is None:
        turn.say(_("Kunjungan itu sudah tidak ada di jadwal."))
        schedule(turn)
        return
    if not outreach.free_slots(visit):
        _full(turn, visit)
        return
    turn.state["book"] = {"token": secrets.token_urlsafe(32), "visit": visit.pk}
    _next(turn)


def _full(turn: Turn, visit: Visit) -> None:
    """The visit has no free slot: say so plainly and offer the next visit that has one."""
    reset(turn.state)
    full = _("Maaf, semua jam konseling pribadi di kunjungan ini sudah penuh:") + f"\n{_when(visit)}\n{_place(visit)}"
    after = next((v for v in visits_upcoming() if v.pk != visit.pk and int(getattr(v, "free_slots", 0)) > 0), None)
    if after is None:
        turn.say(full + "\n\n" + _(
            "Belum ada kunjungan lain dengan jam kosong. Anda bisa minta dihubungi konselor lewat halaman "
            "/konseling-keliling/minta/, atau ketik MENU. Jika ada yang dalam bahaya sekarang, telepon 112."))
        return
    turn.state["step"] = "book:visit"
    turn.state["book"] = {"visits": [after.pk], "offer": after.pk}
    turn.buttons(
        full + "\n\n" + _("Kunjungan berikutnya yang masih ada jam kosong:") + f"\n{_when(after)}\n{_place(after)}\n"
        + _free(after) + "\n\n" + _("Mau pesan di sana?"),
        [(f"kk:v:{after.pk}", _("Ya, pesan di sana")), ("menu:keliling", _("Jadwal lain")), ("menu", _("Menu"))])


# --- time, anonymous or reminded, confirm -----------------------------------------------------------


def _visit(turn: Turn) -> Visit | None:
    book = turn.state.get("book") or {}
    return visit_public(book.get("visit") or 0)


def _next(turn: Turn) -> None:
    """Ask the first question not answered yet: time (when there is a choice), identity, safe time, confirm."""
    book, visit = turn.state["book"], _visit(turn)
    if visit is None:
        turn.say(_("Kunjungan itu sudah tidak ada di jadwal."))
        schedule(turn)
        return
    slots = outreach.free_slots(visit)
    if not slots:
        _full(turn, visit)
        return
    if "slot" not in book:
        if len(slots) > 1:
            _ask_slot(turn, visit, slots)
            return
        book["slot"] = 0
    if "anonymous" not in book:
        _ask_identity(turn, visit)
    elif not book["anonymous"] and "safe_time" not in book:
        turn.state["step"] = "book:safe_time"
        turn.buttons(_(
            "Kapan aman kami mengirim pengingat ke nomor ini? Tulis dengan kata-kata Anda (misalnya: hari kerja "
            "setelah jam 4 sore), atau pilih Lewati."), [("skip", _("Lewati"))])
    else:
        _confirm(turn, visit, slots)


def _ask_slot(turn: Turn, visit: Visit, slots: list[Slot]) -> None:
    roles = {m.user_id: str(TeamRole(m.role).label) for m in visit.team.all()}
    shown = slots[:SLOTS_SHOWN]
    turn.state["step"] = "book:slot"
    turn.state["book"]["slots"] = [s.pk for s in shown]
    rows = [("kk:s:0", _("1. Jam pertama kosong"), _time(slots[0]))]
    for n, slot in enumerate(shown, start=2):
        role = roles.get(slot.professional_id or 0, "")
        rows.append((f"kk:s:{slot.pk}", f"{n}. {_time(slot)}", role))
    turn.rows(
        f"{_when(visit)}\n{_place(visit)}\n\n"
        + _("Jam berapa? Pilih dari daftar, atau ketik nomornya (1 = jam pertama yang masih kosong)."),
        _("Pilih jam"), rows)


def _slot_answer(turn: Turn) -> None:
    book, msg = turn.state["book"], turn.message
    shown = [int(pk) for pk in book.get("slots", [])]
    word = keyword(msg)
    typed = re.fullmatch(r"(\d{1,2})[.:](\d{2})", (msg.text or "").strip()) if msg.kind == "text" else None
    picked: int | None = None
    if msg.kind == "choice" and msg.choice_id.startswith("kk:s:") and msg.choice_id[5:].isdigit():
        picked = int(msg.choice_id[5:])
    elif word.isdigit() and 1 <= int(word) <= len(shown) + 1:
        picked = 0 if word == "1" else shown[int(word) - 2]
    elif typed:  # "09.30" / "9:30": the first shown slot at that time
        hhmm = f"{int(typed.group(1)):02d}.{typed.group(2)}"
        picked = next((s.pk for s in Slot.objects.filter(pk__in=shown).order_by("starts_at", "id")
                       if _time(s) == hhmm), None)
    if picked is None or (picked and picked not in shown):
        _not_understood(turn)
        visit = _visit(turn)
        if visit is None or not outreach.free_slots(visit):
            _next(turn)
        else:
            _ask_slot(turn, visit, outreach.free_slots(visit))
        return
    book["slot"] = picked
    _next(turn)


def _ask_identity(turn: Turn, visit: Visit) -> None:
    turn.state["step"] = "book:identity"
    may_remind = address_may_contact(channel="whatsapp", address=turn.phone)
    body = [_("Bagaimana janji Anda dicatat?"),
            _("• Tanpa nama: Anda mendapat nomor janji dan kode rahasia; nomor WhatsApp Anda tidak dicatat pada "
              "janji ini dan tidak ada pengingat.")]
    buttons = [("kk:anon", _("Tanpa nama"))]
    if may_remind:
        body.append(_("• Dengan pengingat: kami mengirim pengingat ke nomor WhatsApp ini. Nomornya disimpan "
                      "terenkripsi dan hanya dilihat petugas yang menangani janji Anda."))
        buttons.append(("kk:contact", _("Dengan pengingat")))
    buttons.append(("cancel", _("Batal")))
    turn.buttons("\n".join(body), buttons)


def _identity_answer(turn: Turn) -> None:
    book, msg = turn.state["book"], turn.message
    word = keyword(msg)
    may_remind = address_may_contact(channel="whatsapp", address=turn.phone)
    if msg.choice_id == "kk:anon" or msg.kind == "text" and word in ANONYMOUS_WORDS:
        book["anonymous"] = True
        book.pop("safe_time", None)
    elif may_remind and (msg.choice_id == "kk:contact" or msg.kind == "text" and word in CONTACT_WORDS):
        book["anonymous"] = False
    else:
        _not_understood(turn)
        visit = _visit(turn)
        if visit is not None:
            _ask_identity(turn, visit)
        else:
            _next(turn)
        return
    _next(turn)


def _safe_time_answer(turn: Turn) -> None:
    msg = turn.message
    if msg.kind == "choice" and msg.choice_id == "skip" or keyword(msg) in SKIP:
        turn.state["book"]["safe_time"] = ""
    elif msg.kind == "text" and msg.text.strip():
        turn.state["book"]["safe_time"] = msg.text.strip()
    else:
        _not_understood(turn)
    _next(turn)


def _confirm(turn: Turn, visit: Visit, slots: list[Slot]) -> None:
    book = turn.state["book"]
    turn.state["step"] = "book:confirm"
    slot = next((s for s in slots if s.pk == book.get("slot")), None)
    time = _time(slot) if slot else _("jam pertama yang masih kosong (sekarang %(time)s)") % {"time": _time(slots[0])}
    who = _("Tanpa nama") if book.get("anonymous") else _("Dengan pengingat lewat WhatsApp ke nomor ini")
    turn.buttons(
        _("Periksa janji Anda:") + f"\n{_when(visit)}\n{_place(visit)}\n"
        + _("Jam: %(time)s") % {"time": time} + "\n" + who + "\n\n" + _("Pesan sekarang?"),
        [("kk:send", _("Pesan sekarang")), ("cancel", _("Batal"))])


def _confirm_answer(turn: Turn) -> None:
    msg = turn.message
    if msg.choice_id == "kk:send" or msg.kind == "text" and keyword(msg) in SEND_WORDS:
        _submit(turn)
        return
    _not_understood(turn)
    _next(turn)


def _submit(turn: Turn) -> None:
    book = turn.state["book"]
    if ratelimit.hit(turn.client, purpose="wa-booking", limit=settings.BOOKING_RATE_LIMIT,
                     window=settings.BOOKING_RATE_WINDOW):
        reset(turn.state)
        turn.say(_("Terlalu banyak permintaan dari nomor ini. Coba lagi nanti."))
        return
    body: dict[str, Any] = {"anonymous": bool(book.get("anonymous", True))}
    if book.get("slot"):
        body["slot_id"] = int(book["slot"])
    if not body["anonymous"]:
        body["contact"] = {"phone": turn.phone, "preferred_channel": "whatsapp",
                           "safe_time": book.get("safe_time", "")}
    visit_id = int(book.get("visit") or 0)
    try:
        receipt = outreach.booking_create(visit_id=visit_id, data=body, idempotency_key=book["token"])
    except BookingInvalid as exc:  # e.g. a safe time too long: ask again
        turn.say(" ".join(dict.fromkeys(e.message for e in exc.field_errors)))
        book.pop("safe_time", None)
        _next(turn)
        return
    except (outreach.SlotTaken, outreach.IdempotencyConflict):
        book.update(token=secrets.token_urlsafe(32))
        book.pop("slot", None)
        turn.say(_("Jam itu baru saja dipesan orang lain. Pilih jam lain."))
        _next(turn)
        return
    except outreach.VisitFull:
        visit = visit_public(visit_id)
        if visit is None:
            turn.say(_("Kunjungan itu sudah tidak ada di jadwal."))
            schedule(turn)
        else:
            _full(turn, visit)
        return
    except outreach.VisitNotOpen:
        turn.say(_("Kunjungan itu sudah tidak ada di jadwal."))
        schedule(turn)
        return
    booking = receipt.booking
    reset(turn.state)
    # A second tap on "Pesan sekarang" books nothing more. Only the time is kept, not the reference:
    # the state must not tie this number to an anonymous booking.
    turn.state["booked_at"] = timezone.now().timestamp()
    slot, visit = booking.slot, booking.slot.visit if booking.slot else None
    lines = [_("Janji Anda sudah tercatat. Terima kasih."),
             _("Nomor janji: %(reference)s") % {"reference": booking.reference},
             _("Kode rahasia: %(codename)s") % {"codename": receipt.codename}]
    if slot is not None and visit is not None:
        lines += [_("Kapan: %(when)s") % {"when": _slot_when(slot)},
                  _("Tempat: %(place)s") % {"place": _place(visit)},
                  _("Datang ke sana dan sebutkan nomor janji kepada petugas.")]
    lines.append(_("Pengingat akan dikirim ke nomor WhatsApp ini pada waktu yang Anda sebut aman.")
                 if not booking.anonymous else
                 _("Janji ini tanpa nama: nomor WhatsApp Anda tidak dicatat dan tidak ada pengingat."))
    lines += [_("Simpan nomor janji dan kode rahasia ini di tempat aman: kode hanya dikirim sekali ini dan tidak "
                "dapat dipulihkan. Dengan keduanya Anda bisa melihat atau membatalkan janji (ketik JANJI) atau di "
                "halaman /konseling-keliling/janji/."),
              _("Jika ponsel ini bisa dilihat orang lain, hapus pesan ini setelah mencatat kodenya.")]
    turn.say("\n".join(lines))


# --- the person's own booking: reference + codename -----------------------------------------------


def _booking_opened(turn: Turn, booking: Booking) -> None:
    open_for(turn.state, "booking", booking.pk)
    _status(turn, booking)


BOOKING_DOOR: CodenameDoor[Booking] = CodenameDoor(
    flow="booking",
    start=gettext_lazy("Lihat atau batalkan janji. Tulis nomor janji Anda (misalnya KK-AB12-CD34)."),
    again=gettext_lazy("Tulis nomor janji Anda (misalnya KK-AB12-CD34)."),
    then=gettext_lazy("Sekarang tulis kode rahasia janji itu (7 kata), lalu hapus pesan berisi kode itu."),
    wrong=gettext_lazy("Nomor janji atau kode rahasia salah. Periksa lagi."),
    login=outreach.booking_codename_login,
    opened=_booking_opened,
)


def manage_start(turn: Turn) -> None:
    reset(turn.state)
    door_start(turn, BOOKING_DOOR)


def _checked_booking(state: dict[str, Any]) -> Booking | None:
    pk = opened(state, "booking")
    return None if pk is None else Booking.objects.filter(pk=pk).select_related("slot__visit__kelurahan").first()


def _status(turn: Turn, booking: Booking) -> None:
    slot = booking.slot
    visit = slot.visit if slot else None
    lines = [_("Janji %(reference)s: %(status)s") % {"reference": booking.reference,
                                                     "status": Booking.Status(booking.status).label}]
    if slot is not None and visit is not None:
        lines += [_("Kapan: %(when)s") % {"when": _slot_when(slot)}, _("Tempat: %(place)s") % {"place": _place(visit)}]
        if visit.status == Visit.Status.CANCELLED:
            lines.append(_("Kunjungan ini dibatalkan oleh petugas. Mohon maaf; pilih Konseling keliling di menu "
                           "untuk memesan jam di kunjungan lain."))
    active = booking.status == Booking.Status.ACTIVE and visit is not None and visit.status == Visit.Status.PUBLISHED
    if not active:
        turn.say("\n".join([*lines, _("Ketik MENU untuk kembali.")]))
        return
    lines.append(_("Untuk pindah jam, batalkan janji ini lalu pesan jam lain, atau buka halaman "
                   "/konseling-keliling/janji/."))
    turn.buttons("\n".join(lines), [("kk:cancel", _("Batalkan janji ini")), ("menu", _("Menu"))])


def _cancel_ask(turn: Turn) -> None:
    booking = _checked_booking(turn.state)
    if booking is None:
        manage_start(turn)
        return
    turn.state["step"] = "booking:cancel"
    turn.buttons(
        _("Batalkan janji %(reference)s? Jamnya lalu bisa dipesan orang lain.") % {"reference": booking.reference},
        [("kk:cancel-yes", _("Ya, batalkan")), ("kk:keep", _("Tidak"))])


def _cancel_answer(turn: Turn) -> None:
    msg, state = turn.message, turn.state
    word = keyword(msg)
    yes = msg.choice_id == "kk:cancel-yes" or msg.kind == "text" and word in YES
    no = msg.choice_id == "kk:keep" or msg.kind == "text" and word in NO
    if not (yes or no):
        _not_understood(turn)
        _cancel_ask(turn)
        return
    state.pop("step", None)
    booking = _checked_booking(state)
    if booking is None:
        manage_start(turn)
        return
    if no:
        turn.say(_("Janji %(reference)s tetap berlaku.") % {"reference": booking.reference})
        show_menu(turn)
        return
    outreach.booking_cancel(booking=booking)
    state.pop("booking", None)
    turn.say(_("Janji %(reference)s sudah dibatalkan. Untuk memesan jam lain, pilih Konseling keliling di menu.")
             % {"reference": booking.reference})
    show_menu(turn)


# --- routing -----------------------------------------------------------------------------------------


def choice(turn: Turn) -> None:
    """A tap on one of this flow's rows or buttons (``kk:…``), whatever step the conversation is at."""
    choice_id, state = turn.message.choice_id, turn.state
    if choice_id.startswith("kk:v:") and choice_id[5:].isdigit():
        _visit_chosen(turn, int(choice_id[5:]))
    elif choice_id == "kk:mine":
        manage_start(turn)
    elif choice_id in {"kk:cancel-yes", "kk:keep"} and state.get("step") == "booking:cancel":
        _cancel_answer(turn)
    elif choice_id == "kk:cancel":
        _cancel_ask(turn)
    elif in_flow(state):
        answer(turn)
    elif choice_id == "kk:send" and timezone.now().timestamp() - float(state.get("booked_at", 0)) \
            < CHECKED_IDLE_SECONDS:
        turn.say(_("Janji Anda sudah tercatat; nomor janji dan kode rahasianya ada di pesan sebelumnya. "
                   "Ketik MENU untuk kembali."))
    else:  # a button of a question that is over (an old message tapped again)
        turn.say(_("Pilihan itu sudah tidak berlaku."))
        show_menu(turn)


def answer(turn: Turn) -> None:
    """An answer at one of this flow's steps."""
    step = str(turn.state.get("step", ""))
    handlers = {"book:visit": _visit_answer, "book:slot": _slot_answer, "book:identity": _identity_answer,
                "book:safe_time": _safe_time_answer, "book:confirm": _confirm_answer,
                "booking:reference": lambda t: door_reference(t, BOOKING_DOOR),
                "booking:codename": lambda t: door_codename(t, BOOKING_DOOR),
                "booking:cancel": _cancel_answer}
    if step.startswith("book:") and not turn.state.get("book") or step not in handlers:
        turn.state.pop("step", None)
        schedule(turn)
        return
    handlers[step](turn)


def reask(turn: Turn) -> None:
    """The question this flow is at, again (after a sticker, a location, …)."""
    step = str(turn.state.get("step", ""))
    if step == "book:visit":
        offered = [int(pk) for pk in turn.state.get("book", {}).get("visits", [])]
        visits = [v for v in visits_upcoming() if v.pk in offered]
        if visits:
            _visit_list(turn, visits)
        else:
            schedule(turn)
    elif step.startswith("book:") and turn.state.get("book", {}).get("visit"):
        _next(turn)
    elif step == "booking:reference":
        turn.say(str(BOOKING_DOOR.again))
    elif step == "booking:codename":
        turn.say(_("Tulis kode rahasia janji Anda (7 kata)."))
    elif step == "booking:cancel":
        _cancel_ask(turn)
