"""WhatsApp "Cek laporan": a report's reference and codename (``intake.services.report_codename_login``,
the limits the web's /lapor/cek/ counts against too), its status and officer messages, and the
person's replies to the officers while the checked report is open (15 idle minutes, as the web)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salingsapa.channels.whatsapp.turn import Turn, open_for, opened, say_errors, show_menu
from salingsapa.intake import ratelimit
from salingsapa.intake.models import Report, ReportMessage
from salingsapa.intake.schema import ReportInvalid
from salingsapa.intake.selectors import report_public_status
from salingsapa.intake.services import (
    CodenameAttemptsExceeded,
    codename_attempts_blocked,
    report_codename_login,
    report_message_add,
)

T = TypeVar("T")


def check_login(state: dict[str, Any], report: Report) -> None:
    last = ReportMessage.objects.filter(report=report, sender=ReportMessage.Sender.STAFF).order_by("-pk") \
        .values_list("pk", flat=True).first()
    open_for(state, "checked", report.pk, last_staff=last or 0)


def checked_report(state: dict[str, Any]) -> Report | None:
    pk = opened(state, "checked")
    return None if pk is None else Report.objects.filter(pk=pk).first()


def check_or_status(turn: Turn) -> None:
    report = checked_report(turn.state)
    if report is None:
        check_start(turn)
    else:
        status(turn, report)


# --- a reference and a codename over two messages (a report's here, a booking's in ``booking``) ----------


@dataclass(frozen=True)
class CodenameDoor(Generic[T]):
    """How one kind of record is opened with its reference and codename, over two messages: the steps are
    ``<flow>:reference`` and ``<flow>:codename``; ``login(client=, reference=, codename=)`` is the service's
    check under the shared codename limits; ``opened`` shows what was found. The prompts are lazy texts."""

    flow: str
    start: str | Promise
    again: str | Promise
    then: str | Promise
    wrong: str | Promise
    login: Callable[..., T | None]  # keywords client, reference, codename
    opened: Callable[[Turn, T], None]


def door_start(turn: Turn, door: CodenameDoor[Any]) -> None:
    """Ask for the reference, unless this number used up its codename attempts."""
    if codename_attempts_blocked(client=turn.client):
        turn.state.pop("step", None)
        turn.say(_("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi."))
        return
    turn.state["step"] = f"{door.flow}:reference"
    turn.say(str(door.start))


def door_reference(turn: Turn, door: CodenameDoor[Any]) -> None:
    """Keep the typed reference (until the codename comes) and ask for the codename."""
    text = (turn.message.text or "").strip() if turn.message.kind == "text" else ""
    if not text or len(text) > 20:
        turn.say(str(door.again))
        return
    turn.state[f"{door.flow}_reference"] = text
    turn.state["step"] = f"{door.flow}:codename"
    turn.say(str(door.then))


def door_codename(turn: Turn, door: CodenameDoor[Any]) -> None:
    """Check the kept reference with the typed codename; open what it finds, else say why. The codename
    is kept nowhere."""
    state = turn.state
    text = (turn.message.text or "").strip() if turn.message.kind == "text" else ""
    reference = state.pop(f"{door.flow}_reference", "")
    state.pop("step", None)
    found = None
    if text and reference and len(text) <= 200:
        try:
            found = door.login(client=turn.client, reference=reference, codename=text)
        except CodenameAttemptsExceeded:
            turn.say(_("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi."))
            return
    if found is None:
        turn.say(str(door.wrong))
        show_menu(turn)
        return
    door.opened(turn, found)


# --- "Cek laporan" ----------------------------------------------------------------------------------------


def _report_opened(turn: Turn, report: Report) -> None:
    check_login(turn.state, report)
    turn.state["checked"]["last_staff"] = 0  # the first look shows every officer message so far
    status(turn, report)


REPORT_DOOR: CodenameDoor[Report] = CodenameDoor(
    flow="check",
    start=gettext_lazy("Cek laporan. Tulis nomor pengaduan Anda (misalnya LP-AB12-CD34)."),
    again=gettext_lazy("Tulis nomor pengaduan Anda (misalnya LP-AB12-CD34)."),
    then=gettext_lazy("Sekarang tulis kode rahasia Anda (7 kata). Setelah itu, hapus pesan berisi kode dari "
                      "percakapan ini."),
    wrong=gettext_lazy("Nomor pengaduan atau kode rahasia salah. Periksa lagi."),
    login=report_codename_login,
    opened=_report_opened,
)


def check_start(turn: Turn) -> None:
    door_start(turn, REPORT_DOOR)


def status(turn: Turn, report: Report) -> None:
    checked = turn.state["checked"]
    new = list(ReportMessage.objects.filter(report=report, sender=ReportMessage.Sender.STAFF,
                                            pk__gt=int(checked.get("last_staff", 0))).order_by("created_at", "pk"))
    lines = [_("Laporan %(reference)s: %(status)s") % {"reference": report.reference,
                                                        "status": report_public_status(report)}]
    if new:
        lines.append(_("Pesan baru dari petugas:"))
        for message in new:
            when = timezone.localtime(message.created_at).strftime("%d/%m %H:%M")
            lines.append(f"[{when}] {message.body}")
        checked["last_staff"] = new[-1].pk
    else:
        lines.append(_("Belum ada pesan baru dari petugas."))
    lines.append(_("Balas pesan ini untuk menulis kepada petugas, atau kirim foto/rekaman sebagai bukti tambahan. "
                   "Ketik CEK untuk melihat pesan baru, MENU untuk kembali."))
    turn.say("\n".join(lines))


def thread_message(turn: Turn) -> None:
    report = checked_report(turn.state)
    if report is None:
        show_menu(turn)
        return
    if ratelimit.hit(turn.client, purpose="followup", limit=settings.FOLLOWUP_RATE_LIMIT, window=3600):
        turn.say(_("Terlalu banyak pesan. Coba lagi nanti."))
        return
    try:
        report_message_add(report=report, sender=ReportMessage.Sender.REPORTER, body=turn.message.text)
    except ReportInvalid as exc:
        say_errors(turn, exc.field_errors)
        return
    turn.say(_("Pesan Anda sudah diteruskan ke petugas untuk laporan %(reference)s.") % {"reference": report.reference})
