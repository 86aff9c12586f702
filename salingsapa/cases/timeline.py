"""A case's timeline in the reader's language.

An entry (``CaseEvent``) is stored as its ``kind`` plus parameters (``CaseEvent.params``, JSON): slugs of code
lists and statuses, case and report references, numbers, an ISO date, and the name of the staff member the
entry is about — what the timeline shows, nothing of the case's content. A reason typed with the change is
kept apart, sealed (``CaseEvent.reason``). The sentence is made only when the entry is shown: one renderer per
kind, with ``pgettext("timeline", …)`` and named placeholders, labels of statuses and code lists translated
then, dates in the reader's format. Entries written before this (Indonesian prose) were converted by the data
migration ``cases/0007_caseevent_params``; prose it could not read is kept as kind ``legacy`` and shown as it was.

Services write entries through ``event_params`` helpers' shapes (see ``cases.services._event``); the shapes:

==================  =============================================================================
kind                params
==================  =============================================================================
opened              ``reference``
report_attached     ``reference``
status              ``from``, ``to`` (case statuses)
assigned            ``manager`` (a name; empty: released)
reopened            ``to`` (case status)
risk                ``level``, ``score``, ``red_flags``; ``judgement`` ("lowered" | "changed") with
                    ``previous`` or ``computed`` (risk levels)
note                ``note_kind``
task                ``what``: "created" (``assignee`` name, ``due`` ISO datetime) | "done"
document            ``what``: "uploaded" | "evidence_hidden" (``evidence`` id)
plan                ``what``: "submitted" | "recorded" | "approved" | "rejected"
closure             ``what``: "requested" | "rejected" | "approved" (``from`` case status)
deadline            ``what``: "first_contact" | "police_reported" | "escalated" (``deadline_kind``)
consent             ``police_report`` (true | false)
edited              ``what``: "incident" | "person_added" | "person_updated" (``role``)
legacy              ``text`` (as it was stored), ``was`` (the kind it had)
==================  =============================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import pgettext

from salingsapa.cases.models import CaseEvent, CasePerson, CaseStatus, Deadline, NoteKind
from salingsapa.intake.models import RiskLevel

Params = dict[str, Any]


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "-")


def _status(value: Any) -> str:
    return _label(CaseStatus, value)


def _risk(value: Any) -> str:
    return _label(RiskLevel, value)


def _when(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j F Y H:i")


def _opened(p: Params) -> str:
    return pgettext("timeline", "Kasus dibuka dari pengaduan %(reference)s") % {"reference": p.get("reference", "-")}


def _report_attached(p: Params) -> str:
    return pgettext("timeline", "Pengaduan %(reference)s digabungkan ke kasus ini") % {"reference": p.get("reference", "-")}


def _status_changed(p: Params) -> str:
    return pgettext("timeline", "Status: %(from)s → %(to)s") % {"from": _status(p.get("from")), "to": _status(p.get("to"))}


def _assigned(p: Params) -> str:
    if not p.get("manager"):
        return pgettext("timeline", "Manajer kasus dilepas")
    return pgettext("timeline", "Manajer kasus: %(name)s") % {"name": p["manager"]}


def _reopened(p: Params) -> str:
    return pgettext("timeline", "Kasus dibuka kembali → %(to)s") % {"to": _status(p.get("to", CaseStatus.ASSESSMENT))}


def _risk_assessed(p: Params) -> str:
    text = pgettext("timeline", "Asesmen risiko: %(level)s (skor %(score)s, tanda bahaya %(red_flags)s)") % {
        "level": _risk(p.get("level")), "score": p.get("score", "-"), "red_flags": p.get("red_flags", "-")}
    if p.get("judgement") == "lowered":
        text += pgettext("timeline", "; penilaian profesional: diturunkan dari %(previous)s ke %(level)s") % {
            "previous": _risk(p.get("previous")), "level": _risk(p.get("level"))}
    elif p.get("judgement") == "changed":
        text += pgettext("timeline", "; penilaian profesional mengubah hasil %(computed)s") % {
            "computed": _risk(p.get("computed"))}
    return text


def _note(p: Params) -> str:
    return pgettext("timeline", "Catatan: %(kind)s") % {"kind": _label(NoteKind, p.get("note_kind"))}


def _task(p: Params) -> str:
    if p.get("what") == "done":
        return pgettext("timeline", "Tugas diselesaikan")
    return pgettext("timeline", "Tugas untuk %(name)s, batas %(due)s") % {
        "name": p.get("assignee", "-"), "due": _when(p.get("due", ""))}


def _document(p: Params) -> str:
    if p.get("what") == "evidence_hidden":
        return pgettext("timeline", "Bukti #%(evidence)s disembunyikan") % {"evidence": p.get("evidence", "-")}
    return pgettext("timeline", "Dokumen diunggah")


def _plan(p: Params) -> str:
    return {
        "submitted": pgettext("timeline", "Rencana intervensi diajukan, menunggu persetujuan supervisor"),
        "approved": pgettext("timeline", "Rencana intervensi disetujui supervisor"),
        "rejected": pgettext("timeline", "Rencana intervensi ditolak supervisor"),
    }.get(p.get("what", ""), pgettext("timeline", "Rencana intervensi dicatat"))


def _closure(p: Params) -> str:
    what = p.get("what")
    if what == "approved":
        return pgettext("timeline", "Terminasi disetujui supervisor: %(from)s → %(to)s") % {
            "from": _status(p.get("from")), "to": _status(CaseStatus.CLOSED)}
    if what == "rejected":
        return pgettext("timeline", "Terminasi ditolak supervisor")
    return pgettext("timeline", "Terminasi diajukan, menunggu persetujuan supervisor")


def _deadline(p: Params) -> str:
    what = p.get("what")
    if what == "escalated":
        return pgettext("timeline", "Eskalasi ke supervisor: %(deadline)s terlewati") % {
            "deadline": _label(Deadline.Kind, p.get("deadline_kind"))}
    if what == "police_reported":
        return pgettext("timeline", "Laporan diteruskan ke kepolisian")
    return pgettext("timeline", "Kontak pertama tercatat")


def _consent(p: Params) -> str:
    if p.get("police_report"):
        return pgettext("timeline", "Korban setuju dilaporkan ke kepolisian")
    return pgettext("timeline", "Korban tidak setuju dilaporkan ke kepolisian")


def _edited(p: Params) -> str:
    what = p.get("what")
    if what == "person_added":
        return pgettext("timeline", "%(role)s ditambahkan") % {"role": _label(CasePerson.Role, p.get("role"))}
    if what == "person_updated":
        text = pgettext("timeline", "Data %(role)s diperbarui") % {"role": _label(CasePerson.Role, p.get("role")).lower()}
        return str(capfirst(text))
    return pgettext("timeline", "Data kejadian diperbarui")


def _legacy(p: Params) -> str:
    return str(p.get("text", ""))


RENDERERS: dict[str, Callable[[Params], str]] = {
    CaseEvent.Kind.OPENED: _opened,
    CaseEvent.Kind.REPORT_ATTACHED: _report_attached,
    CaseEvent.Kind.STATUS: _status_changed,
    CaseEvent.Kind.ASSIGNED: _assigned,
    CaseEvent.Kind.REOPENED: _reopened,
    CaseEvent.Kind.RISK: _risk_assessed,
    CaseEvent.Kind.NOTE: _note,
    CaseEvent.Kind.TASK: _task,
    CaseEvent.Kind.DOCUMENT: _document,
    CaseEvent.Kind.PLAN: _plan,
    CaseEvent.Kind.CLOSURE: _closure,
    CaseEvent.Kind.DEADLINE: _deadline,
    CaseEvent.Kind.CONSENT: _consent,
    CaseEvent.Kind.EDITED: _edited,
    CaseEvent.Kind.LEGACY: _legacy,
}


def render(kind: str, params: Params | None) -> str:
    """The entry's sentence in the active language (the reader's)."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        return _label(CaseEvent.Kind, kind)
    return renderer(params or {})


def event_text(event: CaseEvent) -> str:
    return render(event.kind, event.params)
