"""The WhatsApp conversation: dispatch of each message, the menu's choices, the reporting flow,
evidence from the chat, and the keywords. "Cek laporan" is in ``check``, "Konseling keliling"
(the schedule, booking a slot, the person's own booking) in ``booking``; what they share in ``turn``.

``respond(state, message, phone)`` reads one inbound message against the conversation's state
(a plain dict, stored sealed by ``channels.whatsapp.handle``) and returns the new state and the
replies (Cloud API message bodies built with ``notify.services.whatsapp_*``). It writes through
the services of the layers below: ``intake.services.report_create`` (the ONE schema, channel
``whatsapp``), ``report_evidence_add``; ``check`` and ``booking`` use ``report_codename_login``,
``report_message_add`` and ``outreach.services.booking_create`` / ``booking_codename_login``.

The reporting flow asks the web form's questions (``public/forms.py``: reporter, danger now, what
happened, forms of violence, victim's sex and age group, kelurahan, place, date, perpetrator,
contact and consent, evidence) one short step at a time. Each answer is checked at once with
``intake.schema.report_check`` for that step's fields; at the end ``report_create`` validates
the whole report again and each ``ReportInvalid`` error goes back to the step that asks its field.

Keywords at any step: ``BATAL`` drops the draft, ``MENU`` returns to the menu, ``DARURAT`` gives
112 / SAPA 129 and marks the report an emergency (as the web form's emergency page does: the
report is flagged, the on-duty officers are alerted the moment it is sent, and only the questions
the schema requires are still asked), ``CEK`` checks a report, ``ENGLISH`` / ``INDONESIA``
switch the language, ``JANJI`` opens a booking (reference + codename) to see or cancel it.
Nothing here logs message text or numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from salingsapa.accounts.models import Organisation
from salingsapa.channels.whatsapp import booking
from salingsapa.channels.whatsapp.check import (
    REPORT_DOOR,
    check_login,
    check_or_status,
    check_start,
    checked_report,
    door_codename,
    door_reference,
    thread_message,
)
from salingsapa.channels.whatsapp.parse import Inbound
from salingsapa.channels.whatsapp.turn import (
    BOOKING,
    CANCEL,
    CHECK,
    DONE,
    EMERGENCY,
    ENGLISH,
    INDONESIAN,
    LIST_ROWS,
    MENU,
    REPLY_IDS,
    SKIP,
    Turn,
    buttons_reply,
    keyword,
    list_reply,
    say_errors,
    show_menu,
    yes_no,
)
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.intake import ratelimit
from salingsapa.intake.evidence import (
    EvidenceRejected,
    StoredEvidence,
    evidence_prepare,
    upload_files_allowed,
)
from salingsapa.intake.models import Channel
from salingsapa.intake.schema import ReportInvalid, report_check
from salingsapa.intake.services import (
    IdempotencyConflict,
    evidence_pending_add,
    evidence_pending_remove,
    report_create,
    report_evidence_add,
)
from salingsapa.notify.services import MediaUnavailable, media_download

__all__ = ["respond", "step_for_field"]


# --- entry point -----------------------------------------------------------------------------------


def respond(state: dict[str, Any] | None, message: Inbound, phone: str, *, late: bool = False) -> Turn:
    """Answer one message. ``late``: an older message that arrived after a newer one was handled —
    its content is kept where it belongs (evidence, the checked thread), but it moves no step."""
    turn = Turn(state=dict(state or {}), phone=phone, message=message)
    with translation.override(turn.state.get("lang", "id")):
        if late:
            _late(turn)
        else:
            _dispatch(turn)
    return turn


def _dispatch(turn: Turn) -> None:
    msg, state = turn.message, turn.state
    word = keyword(msg) if msg.kind == "text" else ""
    choice = msg.choice_id if msg.kind == "choice" else ""
    if choice and ":" not in choice and choice not in REPLY_IDS:
        word, choice = choice.strip().upper(), ""  # a template's quick-reply payload such as "CEK"
    if word in EMERGENCY or choice == "menu:darurat-now":
        _emergency(turn)
        return
    if word in CANCEL or choice == "cancel":
        had_draft, had_booking = bool(state.get("draft")), booking.in_flow(state)
        for item in (state.get("draft") or {}).get("evidence", []):
            evidence_pending_remove(storage_name=str(item.get("storage_name", "")))  # its sealed file goes now
        _reset(state)
        if had_booking:
            turn.say(_("Pemesanan jam dibatalkan. Belum ada janji yang dibuat."))
        else:
            turn.say(_("Laporan dibatalkan. Isian yang belum dikirim sudah kami hapus.") if had_draft
                     else _("Dibatalkan."))
        show_menu(turn)
        return
    if word in ENGLISH or choice == "lang:en":
        state["lang"] = "en"
        with translation.override("en"):
            show_menu(turn, greet=True)
        return
    if word in INDONESIAN or choice == "lang:id":
        state["lang"] = "id"
        with translation.override("id"):
            show_menu(turn, greet=True)
        return
    if word in MENU or choice == "menu":
        booking.reset(state)
        state.pop("step", None)
        show_menu(turn, greet=word not in {"MENU"} and not state.get("draft"))
        return
    if word in CHECK and not state.get("step", "").startswith("report:"):
        check_or_status(turn)
        return
    if word in BOOKING and not state.get("step", "").startswith("report:"):
        booking.manage_start(turn)
        return
    if choice.startswith("menu:"):
        _menu_choice(turn, choice)
        return
    if choice.startswith("kk:"):
        booking.choice(turn)
        return
    step = state.get("step", "")
    if msg.kind == "media":
        _media(turn)
        return
    if msg.kind == "unsupported":
        turn.say(_("Maaf, jenis pesan ini belum bisa kami baca. Kirim teks, foto, rekaman suara, atau dokumen PDF."))
        _reask(turn)
        return
    if msg.kind == "location":
        turn.say(_("Terima kasih. Lokasi dari peta tidak kami simpan; kami hanya menanyakan kelurahan."))
        _reask(turn)
        return
    if step.startswith("report:"):
        _report_answer(turn, step.removeprefix("report:"))
        return
    if step.startswith(booking.STEPS):
        booking.answer(turn)
        return
    if step == "check:reference":
        door_reference(turn, REPORT_DOOR)
        return
    if step == "check:codename":
        door_codename(turn, REPORT_DOOR)
        return
    if checked_report(state) is not None and msg.kind == "text":
        thread_message(turn)
        return
    show_menu(turn, greet=True)


def _late(turn: Turn) -> None:
    """An out-of-order message: keep its content, move nothing."""
    msg, state = turn.message, turn.state
    if msg.kind == "media" and (state.get("draft") or checked_report(state) is not None):
        _media(turn, reask=False)
    elif msg.kind == "text" and not state.get("step") and checked_report(state) is not None:
        thread_message(turn)


def _reset(state: dict[str, Any]) -> None:
    booking.reset(state)
    for key in ("draft", "step", "check_reference", "page", "kecamatan", "errors"):
        state.pop(key, None)


# --- menu and information ---------------------------------------------------------------------------



def _menu_choice(turn: Turn, choice: str) -> None:
    state = turn.state
    if choice == "menu:lapor":
        if not state.get("draft"):
            state["draft"] = {"token": secrets.token_urlsafe(32), "report": {}, "evidence": [], "emergency": False}
        _ask_next(turn)
    elif choice == "menu:lanjut" and state.get("draft"):
        _ask_next(turn)
    elif choice == "menu:cek":
        check_start(turn)
    elif choice == "menu:keliling":
        state.pop("step", None)
        booking.schedule(turn)
    elif choice == "menu:darurat":
        state.pop("step", None)
        turn.say(_emergency_numbers() + "\n" + _("Ketik MENU untuk kembali."))
    else:
        show_menu(turn)


def _office_phone() -> str:
    org = (Organisation.objects.filter(kind=Organisation.Kind.UPTD_PPA).exclude(phone="")
           .order_by("pk").values_list("phone", flat=True).first())
    return org or ""


def _emergency_numbers() -> str:
    lines = [_("Darurat (polisi, ambulans, pemadam): telepon 112, gratis, 24 jam."),
             _("SAPA 129 (KemenPPPA, 24 jam): telepon 129 atau WhatsApp 08111-129-129.")]
    phone = _office_phone()
    if phone:
        lines.append(_("UPTD PPA Kota Serang: %(phone)s.") % {"phone": phone})
    return "\n".join(lines)


def _emergency(turn: Turn) -> None:
    state = turn.state
    turn.say(_("Jika ada yang dalam bahaya sekarang, segera telepon 112.") + "\n" + _emergency_numbers())
    draft = state.get("draft")
    if not draft:
        draft = state["draft"] = {"token": secrets.token_urlsafe(32), "report": {}, "evidence": []}
    draft["emergency"] = True
    draft["report"]["in_danger_now"] = True
    turn.say(_("Laporan Anda ditandai darurat. Setelah dikirim, petugas piket langsung diberi tahu. "
               "Jika aman, jawab beberapa pertanyaan singkat berikut."))
    _ask_next(turn)


def _reask(turn: Turn) -> None:
    step = turn.state.get("step", "")
    if step.startswith("report:"):
        _ask(turn, step.removeprefix("report:"))
    elif step == "check:reference":
        turn.say(str(REPORT_DOOR.again))
    elif step == "check:codename":
        turn.say(_("Tulis kode rahasia Anda (7 kata)."))
    elif step.startswith(booking.STEPS):
        booking.reask(turn)


# --- the reporting flow ------------------------------------------------------------------------------

# The step names, in the web form's order; ``PATHS`` says which schema fields each asks.
ORDER = ["reporter_role", "in_danger_now", "narrative", "violence_forms", "victim_sex", "victim_age_group",
         "kecamatan", "kelurahan", "place", "incident_date", "relationship", "met_via", "met_via_platform",
         "identifier", "contact", "safe_time", "contact_name", "consent_share", "evidence", "confirm"]
PATHS: dict[str, list[str]] = {
    "reporter_role": ["reporter_role"],
    "in_danger_now": ["in_danger_now"],
    "narrative": ["narrative"],
    "violence_forms": ["violence_forms", "tpks_forms"],
    "victim_sex": ["victim.sex"],
    "victim_age_group": ["victim.age_group", "victim.is_child"],
    "kecamatan": [],
    "kelurahan": ["kelurahan_code"],
    "place": ["place"],
    "incident_date": ["incident_date"],
    "relationship": ["relationship"],
    "met_via": ["met_via"],
    "met_via_platform": ["met_via_platform"],
    "identifier": ["perpetrator_identifiers"],
    "contact": ["contact.preferred_channel", "contact.phone", "consent.contact_me"],
    "safe_time": ["contact.safe_time"],
    "contact_name": ["contact.name", "contact.email"],
    "consent_share": ["consent.share_with_partners"],
    "evidence": [],
    "confirm": [],
}
# Questions the web form lets a person leave empty; an emergency report skips them.
OPTIONAL = {"place", "incident_date", "relationship", "met_via", "met_via_platform", "identifier", "safe_time",
            "contact_name", "evidence"}


# A whole group missing (``victim``, ``contact``, ``consent``) goes to the step that asks its first field.
GROUP_STEP = {"victim": "victim_sex", "contact": "contact", "consent": "contact"}


def step_for_field(path: str) -> str:
    """The step that asks the schema field ``path`` (longest matching path wins)."""
    best, found = -1, GROUP_STEP.get(path, "reporter_role")
    for step, paths in PATHS.items():
        for p in paths:
            if (path == p or path.startswith(p + ".")) and len(p) > best:
                best, found = len(p), step
    return found


def _draft(turn: Turn) -> dict[str, Any]:
    draft = turn.state.get("draft")
    if not draft:
        draft = turn.state["draft"] = {"token": secrets.token_urlsafe(32), "report": {}, "evidence": [],
                                       "emergency": False}
    return draft


def _answered(draft: dict[str, Any]) -> set[str]:
    return set(draft.get("answered", []))


def _applies(step: str, draft: dict[str, Any]) -> bool:
    report = draft["report"]
    if step == "met_via_platform" and report.get("met_via") != "media-sosial":
        return False
    if step in {"safe_time", "contact_name"} and (report.get("contact") or {}).get("preferred_channel") != "whatsapp":
        return False
    if step == "in_danger_now" and "in_danger_now" in report:
        return False
    return not (draft.get("emergency") and step in OPTIONAL)


def _ask_next(turn: Turn) -> None:
    draft = _draft(turn)
    answered = _answered(draft)
    for step in ORDER:
        if step not in answered and _applies(step, draft):
            _ask(turn, step)
            return
    _ask(turn, "confirm")


def _done(turn: Turn, step: str) -> None:
    draft = _draft(turn)
    answered = _answered(draft)
    answered.add(step)
    draft["answered"] = sorted(answered)
    if draft.get("fix"):  # answering a question that the final check sent back: straight to the summary
        draft.pop("fix")
        _ask(turn, "confirm")
        return
    _ask_next(turn)


def _progress(step: str) -> str:
    n = ORDER.index(step) + 1 if step in ORDER else 0
    return f"({n}/{len(ORDER)}) " if n else ""


def _options(list_name: str) -> list[tuple[str, str]]:
    return [(slug, codelists.label(list_name, slug)) for slug in codelists.slugs(list_name)]


def _choose(turn: Turn, step: str, question: str, options: list[tuple[str, str]], *, optional: bool = False,
            descriptions: dict[str, str] | None = None) -> None:
    """Ask for one of ``options``: buttons when they fit (≤ 3), else a list, paged by 9 with "more"."""
    turn.state["step"] = f"report:{step}"
    body = _progress(step) + question
    choices = list(options)
    if optional:
        choices.append(("skip", _("Lewati / tidak tahu")))
    if len(choices) <= 3 and all(len(t) <= 20 for _v, t in choices):
        turn.replies.append(buttons_reply(body, [(_rid(v), t) for v, t in choices]))
        return
    page = int(turn.state.get("page", 0))
    per_page = LIST_ROWS if len(choices) <= LIST_ROWS else LIST_ROWS - 1
    start = page * per_page
    shown = choices[start:start + per_page]
    rows = [(_rid(v), t, (descriptions or {}).get(v, t if len(t) > 24 else "")) for v, t in shown]
    if start + per_page < len(choices):
        rows.append((f"page:{page + 1}", _("Pilihan lainnya ›"), _("Tampilkan pilihan berikutnya")))
    elif page:
        rows.append(("page:0", _("‹ Kembali ke awal"), ""))
    body += "\n" + _("Pilih dari daftar, atau ketik nomornya.")
    turn.replies.append(list_reply(body, _("Pilih"), rows))


def _rid(value: str) -> str:
    return value if value == "skip" else f"v:{value}"


def _picked(turn: Turn, options: list[tuple[str, str]], *, optional: bool = False) -> str | None:
    """The option the person picked (by reply id, number, or label), "" for skip, None when unclear."""
    msg = turn.message
    if msg.kind == "choice":
        if msg.choice_id == "skip" and optional:
            return ""
        if msg.choice_id.startswith("v:") and msg.choice_id[2:] in dict(options):
            return msg.choice_id[2:]
        return None
    text = (msg.text or "").strip()
    word = keyword(msg)
    if optional and word in SKIP:
        return ""
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1][0]
    for value, label in options:
        if text.casefold() in {label.casefold(), value.casefold()}:
            return value
    return None


def _paging(turn: Turn) -> bool:
    msg = turn.message
    if msg.kind == "choice" and msg.choice_id.startswith("page:"):
        turn.state["page"] = int(msg.choice_id[5:] or 0) if msg.choice_id[5:].isdigit() else 0
        return True
    return False



def _kecamatan_options() -> list[tuple[str, str]]:
    prefix = settings.HOME_REGION_CODE + "."
    return [(r.code, r.name) for r in Region.objects.filter(level=Region.Level.DISTRICT, code__startswith=prefix)
            .order_by("name")]


def _kelurahan_options(kecamatan: str) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(level=Region.Level.VILLAGE, parent_id=kecamatan)
            .order_by("name")]


def _ask(turn: Turn, step: str) -> None:
    state = turn.state
    draft = _draft(turn)
    state["step"] = f"report:{step}"
    if step != state.get("asked"):
        state["page"] = 0
    state["asked"] = step
    asker: dict[str, Callable[[], None]] = {
        "reporter_role": lambda: _choose(turn, step, _("Siapa yang melapor?"), [
            ("victim", _("Saya sendiri")), ("family", _("Keluarga korban")),
            ("witness", _("Saksi/tetangga/teman")), ("professional", _("Guru/nakes/pendamping")),
            ("other", _("Lainnya"))]),
        "in_danger_now": lambda: _choose(turn, step, _("Apakah korban atau orang lain dalam bahaya sekarang?"),
                                         [("yes", _("Ya")), ("no", _("Tidak"))]),
        "narrative": lambda: turn.say(_progress(step) + _(
            "Ceritakan dengan kata-kata Anda sendiri apa yang terjadi. Tidak perlu lengkap; satu pesan saja.")),
        "violence_forms": lambda: _choose(turn, step, _(
            "Apa yang dialami korban? Boleh lebih dari satu: ketik nomor-nomornya, misalnya 1,3.\n"
            "1 fisik · 2 psikis · 3 seksual · 4 eksploitasi · 5 perdagangan orang · 6 penelantaran · 7 lainnya"),
            _options("violence_form")),
        "victim_sex": lambda: _choose(turn, step, _("Jenis kelamin korban?"), _options("sex")),
        "victim_age_group": lambda: _choose(turn, step, _("Umur korban?"), _options("age_group")),
        "kecamatan": lambda: _choose(turn, step, _("Di kecamatan mana kejadiannya (Kota Serang)?"),
                                     _kecamatan_options()),
        "kelurahan": lambda: _choose(turn, step, _("Di kelurahan mana?"),
                                     _kelurahan_options(state.get("kecamatan", ""))),
        "place": lambda: _choose(turn, step, _("Jenis tempat kejadian?"), _options("place"), optional=True),
        "incident_date": lambda: turn.replies.append(buttons_reply(_progress(step) + _(
            "Kapan kejadiannya? Tulis tanggal seperti 31/12/2025, atau pilih Lewati."),
            [("skip", _("Lewati"))])),
        "relationship": lambda: _choose(turn, step, _("Hubungan pelaku dengan korban?"), _options("relationship"),
                                        optional=True),
        "met_via": lambda: _choose(turn, step, _("Bagaimana korban dan pelaku kenal?"), _options("met_via"),
                                   optional=True),
        "met_via_platform": lambda: _choose(turn, step, _("Lewat aplikasi apa?"), _options("platform"),
                                            optional=True),
        "identifier": lambda: turn.replies.append(buttons_reply(_progress(step) + _(
            "Jika tahu, tulis nomor telepon atau tautan/nama akun media sosial pelaku. Jika tidak, pilih Lewati."),
            [("skip", _("Lewati"))])),
        "contact": lambda: _choose(turn, step, _(
            "Boleh petugas UPTD PPA menghubungi Anda lewat WhatsApp di nomor ini? Tanpa kontak, Anda tetap bisa "
            "memantau laporan dengan kode rahasia."), [("yes", _("Ya, lewat WhatsApp")), ("no", _("Jangan hubungi"))]),
        "safe_time": lambda: turn.replies.append(buttons_reply(_progress(step) + _(
            "Kapan aman menghubungi Anda? (misalnya: hari kerja pukul 09-12)"), [("skip", _("Lewati"))])),
        "contact_name": lambda: turn.replies.append(buttons_reply(_progress(step) + _(
            "Nama atau nama panggilan Anda? Anda boleh melapor tanpa nama."), [("skip", _("Lewati"))])),
        "consent_share": lambda: _choose(turn, step, _(
            "Setuju laporan ini dibagikan ke mitra layanan (psikolog, bantuan hukum, kesehatan) bila perlu?"),
            [("yes", _("Ya, setuju")), ("no", _("Tidak"))]),
        "evidence": lambda: turn.replies.append(buttons_reply(_progress(step) + _(
            "Punya bukti? Kirim foto, tangkapan layar, rekaman suara, atau PDF sekarang (paling besar 10 MB per "
            "berkas; data lokasi di foto kami hapus). Setelah itu pilih Selesai."), [("done", _("Selesai"))])),
        "confirm": lambda: _confirm(turn, draft),
    }
    asker[step]()


def _summary(draft: dict[str, Any]) -> str:
    r = draft["report"]
    victim = r.get("victim") or {}
    forms = ", ".join(codelists.label("violence_form", f) for f in r.get("violence_forms", []))
    place = Region.objects.filter(code=r.get("kelurahan_code", "")).values_list("name", flat=True).first() or "-"
    contact = _("lewat WhatsApp") if (r.get("contact") or {}).get("preferred_channel") == "whatsapp" \
        else _("tidak dihubungi")
    lines = [
        _("Bentuk kekerasan: %(v)s") % {"v": forms or "-"},
        _("Korban: %(sex)s, %(age)s") % {"sex": codelists.label("sex", victim.get("sex", "")) or "-",
                                         "age": codelists.label("age_group", victim.get("age_group", "")) or "-"},
        _("Kelurahan: %(v)s") % {"v": place},
        _("Kontak: %(v)s") % {"v": contact},
        _("Bukti: %(n)d berkas") % {"n": len(draft.get("evidence", []))},
    ]
    if draft.get("emergency") or r.get("in_danger_now"):
        lines.insert(0, _("DARURAT"))
    return "\n".join(lines)


def _confirm(turn: Turn, draft: dict[str, Any]) -> None:
    turn.state["step"] = "report:confirm"
    turn.replies.append(buttons_reply(
        _("Periksa laporan Anda:") + "\n" + _summary(draft) + "\n\n" + _("Kirim sekarang?"),
        [("send", _("Kirim laporan")), ("cancel", _("Batal"))]))


def _report_answer(turn: Turn, step: str) -> None:
    draft = _draft(turn)
    report = draft["report"]
    msg = turn.message
    if _paging(turn):
        _ask(turn, step)
        return
    value: Any
    if step in {"reporter_role", "victim_sex", "victim_age_group", "place", "relationship", "met_via",
                "met_via_platform", "kecamatan", "kelurahan"}:
        list_name = {"reporter_role": "reporter_role", "victim_sex": "sex", "victim_age_group": "age_group",
                     "place": "place", "relationship": "relationship", "met_via": "met_via",
                     "met_via_platform": "platform"}.get(step)
        if step == "kecamatan":
            options = _kecamatan_options()
        elif step == "kelurahan":
            options = _kelurahan_options(turn.state.get("kecamatan", ""))
        else:
            assert list_name
            options = _options(list_name)
        value = _picked(turn, options, optional=step in OPTIONAL)
        if value is None:
            turn.say(_("Maaf, pilihan itu tidak kami kenali. Pilih dari daftar."))
            _ask(turn, step)
            return
        if step == "kecamatan":
            turn.state["kecamatan"] = value
            _done(turn, step)
            return
        if step == "victim_sex":
            report.setdefault("victim", {})["sex"] = value
        elif step == "victim_age_group":
            report.setdefault("victim", {})["age_group"] = value
        elif step == "kelurahan":
            report["kelurahan_code"] = value
        else:
            report[step] = value
    elif step == "in_danger_now":
        yes = yes_no(turn)
        if yes is None:
            _ask(turn, step)
            return
        report["in_danger_now"] = yes
        if yes:
            draft["emergency"] = True
            turn.say(_("Jika ada yang dalam bahaya sekarang, segera telepon 112.") + "\n" + _emergency_numbers()
                     + "\n" + _("Laporan Anda ditandai darurat. Setelah dikirim, petugas piket langsung diberi "
                                "tahu. Jika aman, lanjutkan; jawaban berikutnya boleh singkat."))
    elif step == "narrative":
        if msg.kind != "text":
            _ask(turn, step)
            return
        report["narrative"] = msg.text
    elif step == "violence_forms":
        slugs = codelists.slugs("violence_form")
        if msg.kind == "choice" and msg.choice_id.startswith("v:"):
            picked = [msg.choice_id[2:]]
        else:
            numbers = re.findall(r"\d+", msg.text or "")
            picked = [slugs[int(n) - 1] for n in numbers if 1 <= int(n) <= len(slugs)]
            if not picked:
                one = _picked(turn, _options("violence_form"))
                picked = [one] if one else []
        if not picked:
            turn.say(_("Pilih setidaknya satu bentuk kekerasan: ketik nomornya, misalnya 1 atau 1,3."))
            _ask(turn, step)
            return
        report["violence_forms"] = list(dict.fromkeys(picked))
    elif step == "incident_date":
        if msg.kind == "choice" and msg.choice_id == "skip" or keyword(msg) in SKIP:
            report["incident_date"] = None
        else:
            parsed = _date(msg.text or "")
            if parsed is None:
                turn.say(_("Tulis tanggal seperti 31/12/2025."))
                _ask(turn, step)
                return
            report["incident_date"] = parsed
    elif step == "identifier":
        if msg.kind == "choice" and msg.choice_id == "skip" or keyword(msg) in SKIP:
            report["perpetrator_identifiers"] = []
        else:
            text = (msg.text or "").strip()
            report["perpetrator_identifiers"] = [{"kind": _identifier_kind(text), "value": text}] if text else []
    elif step == "contact":
        yes = yes_no(turn)
        if yes is None:
            _ask(turn, step)
            return
        contact = report.setdefault("contact", {})
        consent = report.setdefault("consent", {})
        if yes:
            contact.update({"phone": turn.phone, "preferred_channel": "whatsapp"})
            consent["contact_me"] = True
        else:
            contact.update({"phone": "", "preferred_channel": "none", "safe_time": "", "name": ""})
            consent["contact_me"] = False
    elif step in {"safe_time", "contact_name"}:
        skipped = msg.kind == "choice" and msg.choice_id == "skip" or keyword(msg) in SKIP
        key = "safe_time" if step == "safe_time" else "name"
        report.setdefault("contact", {})[key] = "" if skipped else (msg.text or "")
    elif step == "consent_share":
        yes = yes_no(turn)
        if yes is None:
            _ask(turn, step)
            return
        report.setdefault("consent", {})["share_with_partners"] = yes
    elif step == "evidence":
        if msg.kind == "choice" and msg.choice_id == "done" or keyword(msg) in DONE | SKIP:
            _done(turn, step)
            return
        _ask(turn, step)
        return
    elif step == "confirm":
        if msg.kind == "choice" and msg.choice_id == "send" or keyword(msg) in {"KIRIM", "SEND", "YA", "YES"}:
            _submit(turn)
            return
        _ask(turn, step)
        return
    errors = report_check(report, fields=PATHS[step]) if PATHS[step] else []
    if errors:
        say_errors(turn, errors)
        _ask(turn, step)
        return
    _done(turn, step)


def _date(text: str) -> str | None:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


_ID_HOSTS = {"instagram.com": "instagram", "facebook.com": "facebook", "fb.com": "facebook",
             "tiktok.com": "tiktok", "x.com": "x", "twitter.com": "x", "t.me": "telegram", "wa.me": "whatsapp"}


def _identifier_kind(text: str) -> str:
    if re.fullmatch(r"\+?[0-9 ()\-./]{6,}", text):
        return "phone"
    lowered = text.lower()
    for host, kind in _ID_HOSTS.items():
        if host in lowered:
            return kind
    return "other"



def _submit(turn: Turn) -> None:
    draft = _draft(turn)
    evidence = [StoredEvidence.from_dict(e) for e in draft.get("evidence", [])]
    try:
        receipt = report_create(data=draft["report"], channel=Channel.WHATSAPP, idempotency_key=draft["token"],
                                evidence=evidence)
    except ReportInvalid as exc:
        step = step_for_field(exc.field_errors[0].field)
        answered = _answered(draft)
        for error in exc.field_errors:
            answered.discard(step_for_field(error.field))
        draft["answered"] = sorted(answered)
        draft["fix"] = True
        say_errors(turn, [e for e in exc.field_errors if step_for_field(e.field) == step])
        _ask(turn, step)
        return
    except IdempotencyConflict:  # the draft changed after a send that did go through: start a new draft
        draft["token"] = secrets.token_urlsafe(32)
        turn.say(_("Laporan ini sudah pernah dikirim. Periksa lagi, lalu kirim ulang."))
        _ask(turn, "confirm")
        return
    report = receipt.report
    _reset(turn.state)
    lines = [
        _("Laporan Anda sudah kami terima. Terima kasih atas keberanian Anda."),
        _("Nomor pengaduan: %(reference)s") % {"reference": report.reference},
        _("Kode rahasia: %(codename)s") % {"codename": receipt.codename},
        _("Simpan nomor dan kode rahasia ini di tempat aman: kode hanya dikirim sekali ini dan tidak dapat "
          "dipulihkan. Dengan keduanya Anda bisa memantau laporan (ketik CEK) atau di halaman /lapor/cek/."),
        _("Jika ponsel ini bisa dilihat orang lain, hapus pesan ini setelah mencatat kodenya."),
    ]
    if report.is_emergency:
        lines.insert(1, _("Laporan ini darurat: petugas piket sudah diberi tahu. Jika ada bahaya sekarang, "
                          "telepon 112."))
    turn.say("\n".join(lines))
    check_login(turn.state, report)


# --- evidence from the chat ---------------------------------------------------------------------------


def _media(turn: Turn, *, reask: bool = True) -> None:
    state = turn.state
    report = checked_report(state)
    in_draft = bool(state.get("draft")) and state.get("step", "").startswith("report:")
    if not in_draft and report is None:
        turn.say(_("Untuk mengirim bukti, mulai laporan (Lapor kekerasan) atau buka laporan Anda dulu (Cek laporan)."))
        if reask:
            show_menu(turn)
        return
    scope = f"wa-draft:{state['draft']['token']}" if in_draft else f"report:{report.pk if report else 0}"
    stored = _media_prepare(turn, scope=scope, pending=in_draft)
    if in_draft:
        if stored is not None:
            evidence_pending_add(evidence=stored)
            state["draft"].setdefault("evidence", []).append(stored.as_dict())
            turn.say(_("Berkas diterima (%(n)d).") % {"n": len(state["draft"]["evidence"])})
        if reask:
            _reask(turn)  # the question the person was at (at the evidence step: "send more, or Done")
        return
    if stored is not None:
        assert report is not None
        report_evidence_add(report=report, evidence=stored, source=Channel.WHATSAPP)
        turn.say(_("Berkas sudah dilampirkan pada laporan %(reference)s.") % {"reference": report.reference})


def _media_prepare(turn: Turn, *, scope: str, pending: bool) -> StoredEvidence | None:
    """Fetch the file by its media id, then the web upload's budgets, checks, stripping and sealing."""
    msg = turn.message
    if not pending and ratelimit.hit(turn.client, purpose="followup", limit=settings.FOLLOWUP_RATE_LIMIT,
                                     window=3600):
        turn.say(_("Terlalu banyak kiriman. Coba lagi nanti."))
        return None
    try:
        data, _mime = media_download(msg.media_id)
    except MediaUnavailable:
        turn.say(_("Maaf, berkas itu tidak bisa kami ambil dari WhatsApp (paling besar %(mb)d MB). Kirim berkas "
                   "yang lebih kecil, atau coba sekali lagi.") % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)})
        return None
    try:
        upload_files_allowed(client=turn.client, scope=scope, sizes=[len(data)], pending=pending)
        return evidence_prepare(data=data, filename=msg.filename or f"whatsapp-{msg.media_kind}")
    except EvidenceRejected as exc:
        turn.say(exc.message)
        return None


