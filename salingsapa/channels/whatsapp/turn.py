"""What every part of the WhatsApp conversation shares: one turn (state, sender, message, replies),
the reply builders within the Cloud API's limits, the keywords, and the menu.

The parts: ``conversation`` (dispatch, the reporting flow, evidence), ``check`` ("Cek laporan"),
``booking`` (konseling keliling: book a slot, see or cancel it with the codename).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salingsapa.channels.whatsapp.parse import Inbound
from salingsapa.intake.schema import FieldError
from salingsapa.notify.services import whatsapp_buttons, whatsapp_list, whatsapp_text

CHECKED_IDLE_SECONDS = 15 * 60  # as the web follow-up pages: what a codename opened is closed after 15 idle minutes
LIST_ROWS = 10
TEXT_MAX = 4000
INTERACTIVE_BODY_MAX = 1000

# Keywords (upper-cased, without punctuation), Bahasa Indonesia and English.
CANCEL = {"BATAL", "CANCEL", "STOP"}
MENU = {"MENU", "HALO", "HALLO", "HAI", "HI", "HELLO", "MULAI", "START", "P", "PING", "ASSALAMUALAIKUM"}
EMERGENCY = {"DARURAT", "EMERGENCY", "SOS", "TOLONG"}
CHECK = {"CEK", "CHECK", "CEK LAPORAN"}
BOOKING = {"JANJI", "JANJI SAYA", "CEK JANJI", "BATAL JANJI", "BOOKING", "MY BOOKING", "CANCEL BOOKING"}
ENGLISH = {"ENGLISH", "EN", "INGGRIS"}
INDONESIAN = {"INDONESIA", "ID", "BAHASA", "BAHASA INDONESIA"}
SKIP = {"LEWATI", "SKIP", "LEWAT", "-"}
DONE = {"SELESAI", "DONE", "LANJUT", "NEXT"}
REPLY_IDS = {"skip", "done", "send", "cancel", "menu"}  # our own reply ids without a namespace
YES = {"YA", "YES", "Y", "IYA"}
NO = {"TIDAK", "NO", "N", "GAK", "ENGGAK", "TDK"}

# --- replies -------------------------------------------------------------------------------------


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def text_reply(body: str) -> dict[str, Any]:
    return whatsapp_text(_cut(body, TEXT_MAX))


def buttons_reply(body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    return whatsapp_buttons(_cut(body, INTERACTIVE_BODY_MAX), [(i, _cut(t, 20)) for i, t in buttons[:3]])


def list_reply(body: str, button: str, rows: list[tuple[str, str, str]]) -> dict[str, Any]:
    return whatsapp_list(_cut(body, INTERACTIVE_BODY_MAX), _cut(button, 20),
                         [(i, _cut(t, 24), _cut(d, 72)) for i, t, d in rows[:LIST_ROWS]])


@dataclass
class Turn:
    state: dict[str, Any]
    phone: str  # E.164, "+62…"
    message: Inbound
    replies: list[dict[str, Any]] = field(default_factory=list)

    def say(self, body: str) -> None:
        self.replies.append(text_reply(body))

    def buttons(self, body: str, buttons: list[tuple[str, str]]) -> None:
        self.replies.append(buttons_reply(body, buttons))

    def rows(self, body: str, button: str, rows: list[tuple[str, str, str]]) -> None:
        """A list message: ``rows`` of (reply id, title, description)."""
        self.replies.append(list_reply(body, button, rows))

    @property
    def client(self) -> str:
        """The subject rate limits count for this person (a keyed hash of it is what is stored)."""
        return f"wa:{self.phone}"


def keyword(message: Inbound) -> str:
    return re.sub(r"[^\w ]", "", (message.text or "").strip().upper()).strip()


def opened(state: dict[str, Any], key: str) -> int | None:
    """The pk a reference + codename check opened under ``key``, while it has not been idle longer than
    ``CHECKED_IDLE_SECONDS`` (as the web's follow-up pages); each use keeps it open."""
    checked = state.get(key)
    if not isinstance(checked, dict):
        return None
    now = timezone.now().timestamp()
    if now - float(checked.get("seen", 0)) > CHECKED_IDLE_SECONDS:
        state.pop(key, None)
        return None
    checked["seen"] = now
    return int(checked.get("pk") or 0)


def open_for(state: dict[str, Any], key: str, pk: int, **extra: Any) -> None:
    state[key] = {"pk": pk, "seen": timezone.now().timestamp(), **extra}


def show_menu(turn: Turn, *, greet: bool = False) -> None:
    if greet:
        turn.say(_(
            "Halo, ini layanan pengaduan Saling Sapa — UPTD PPA Kota Serang. Percakapan ini rahasia.\n"
            "Ketik DARURAT kapan saja jika ada yang dalam bahaya, BATAL untuk membatalkan, MENU untuk kembali.\n"
            "Jika ponsel Anda bisa dilihat orang lain, hapus percakapan ini setelah selesai."))
    lang_row = ("lang:id", "Bahasa Indonesia", "Ganti ke Bahasa Indonesia") if translation.get_language() == "en" \
        else ("lang:en", "English", "Switch to English")
    rows = [
        ("menu:lapor", _("Lapor kekerasan"), _("Laporkan kekerasan terhadap perempuan atau anak")),
        ("menu:cek", _("Cek laporan"), _("Lihat status dan pesan petugas dengan kode rahasia")),
        ("menu:keliling", _("Konseling keliling"), _("Jadwal konseling keliling")),
        ("menu:darurat", _("Nomor darurat"), _("112, SAPA 129, UPTD PPA")),
        lang_row,
    ]
    if turn.state.get("draft"):
        rows.insert(0, ("menu:lanjut", _("Lanjutkan laporan"), _("Teruskan laporan yang belum dikirim")))
    turn.replies.append(list_reply(_("Apa yang bisa kami bantu?"), _("Pilih"), rows))


def say_errors(turn: Turn, errors: list[FieldError]) -> None:
    seen: list[str] = []
    for error in errors:
        if error.message not in seen:
            seen.append(error.message)
    turn.say(" ".join(seen))


def yes_no(turn: Turn) -> bool | None:
    msg = turn.message
    if msg.kind == "choice" and msg.choice_id in {"v:yes", "v:no"}:
        return msg.choice_id == "v:yes"
    word = keyword(msg)
    if word in YES:
        return True
    if word in NO:
        return False
    return None
