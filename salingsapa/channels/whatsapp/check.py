"""WhatsApp "Cek laporan": a report's reference and codename (``intake.services.report_codename_login``,
the limits the web's /lapor/cek/ counts against too), its status and officer messages, and the
person's replies to the officers while the checked report is open (15 idle minutes, as the web)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from salingsapa.channels.whatsapp.turn import Turn, say_errors, show_menu
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

CHECKED_IDLE_SECONDS = 15 * 60  # as the web follow-up page: a checked report is forgotten after 15 idle minutes


def check_login(state: dict[str, Any], report: Report) -> None:
    last = ReportMessage.objects.filter(report=report, sender=ReportMessage.Sender.STAFF).order_by("-pk") \
        .values_list("pk", flat=True).first()
    state["checked"] = {"pk": report.pk, "seen": timezone.now().timestamp(), "last_staff": last or 0}


def checked_report(state: dict[str, Any]) -> Report | None:
    checked = state.get("checked")
    if not isinstance(checked, dict):
        return None
    now = timezone.now().timestamp()
    if now - float(checked.get("seen", 0)) > CHECKED_IDLE_SECONDS:
        state.pop("checked", None)
        return None
    checked["seen"] = now
    return Report.objects.filter(pk=int(checked.get("pk") or 0)).first()


def check_or_status(turn: Turn) -> None:
    report = checked_report(turn.state)
    if report is None:
        check_start(turn)
    else:
        status(turn, report)


def check_start(turn: Turn) -> None:
    turn.state["step"] = "check:reference"
    if codename_attempts_blocked(client=turn.client):
        turn.state.pop("step", None)
        turn.say(_("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi."))
        return
    turn.say(_("Cek laporan. Tulis nomor pengaduan Anda (misalnya LP-AB12-CD34)."))


def check_reference(turn: Turn) -> None:
    text = (turn.message.text or "").strip() if turn.message.kind == "text" else ""
    if not text or len(text) > 20:
        turn.say(_("Tulis nomor pengaduan Anda (misalnya LP-AB12-CD34)."))
        return
    turn.state["check_reference"] = text
    turn.state["step"] = "check:codename"
    turn.say(_("Sekarang tulis kode rahasia Anda (7 kata). Setelah itu, hapus pesan berisi kode dari percakapan ini."))


def check_codename(turn: Turn) -> None:
    state = turn.state
    text = (turn.message.text or "").strip() if turn.message.kind == "text" else ""
    reference = state.pop("check_reference", "")
    state.pop("step", None)
    if not text or not reference or len(text) > 200:
        turn.say(_("Nomor pengaduan atau kode rahasia salah. Periksa lagi."))
        show_menu(turn)
        return
    try:
        report = report_codename_login(client=turn.client, reference=reference, codename=text)
    except CodenameAttemptsExceeded:
        turn.say(_("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi."))
        return
    if report is None:
        turn.say(_("Nomor pengaduan atau kode rahasia salah. Periksa lagi."))
        show_menu(turn)
        return
    check_login(state, report)
    state["checked"]["last_staff"] = 0  # the first look shows every officer message so far
    status(turn, report)


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
