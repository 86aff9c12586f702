"""Alerts in the reader's language.

Alert messages are stored in Bahasa Indonesia (the services write them; older rows exist). They are rendered
for the reader by matching the stored text against the message templates below (the same sentences the
services write, with named parts) and translating the template and its parts with gettext: code-list labels
(services) by their code list, other parts (deadline kinds, "disetujui"/"ditolak") through the catalogue.
Case numbers, references, organisation names, dates and places are kept as they are. A message that matches
no template is shown as stored.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

from salingsapa.core import codelists

# The same sentences as the services write (cases/services.py, network/services.py).
TEMPLATES = [
    gettext_noop("Tenggat terlewati: %(kind)s untuk %(target)s"),
    gettext_noop("Anda ditetapkan sebagai manajer kasus %(number)s"),
    gettext_noop("Rencana intervensi kasus %(number)s (%(why)s) menunggu persetujuan"),
    gettext_noop("Rencana intervensi kasus %(number)s %(decision)s"),
    gettext_noop("Terminasi kasus %(number)s menunggu persetujuan"),
    gettext_noop("Terminasi kasus %(number)s %(decision)s"),
    gettext_noop("Rujukan baru dari %(organisation)s: layanan %(service)s, kasus %(number)s. "
                 "Mohon tanggapi sebelum %(when)s."),
    gettext_noop("Rujukan kasus %(number)s ke %(organisation)s ditolak; lihat alasannya."),
    gettext_noop("Rujukan kasus %(number)s ke %(organisation)s selesai."),
    gettext_noop("Rujukan kasus %(number)s (layanan %(service)s) dicabut oleh UPTD PPA. "
                 "Hentikan layanan dan jangan simpan salinan data kasus ini."),
    gettext_noop("Rujukan kasus %(number)s ke %(organisation)s belum ditanggapi melewati batas waktu."),
    gettext_noop("Terduga pelaku di kasus %(number)s juga tercatat di kasus %(other)s "
                 "(manajer kasus: %(who)s). Koordinasikan."),
    gettext_noop("Undangan rapat koordinasi kasus dari %(organisation)s: %(when)s, %(place)s."),
    # cases.services.account_security_alert: with the changed fields, then without (kind: SECURITY_EVENT_TEXT)
    gettext_noop("Keamanan akun: %(kind)s — akun %(account)s, oleh %(who)s (%(fields)s)."),
    gettext_noop("Keamanan akun: %(kind)s — akun %(account)s, oleh %(who)s."),
]

# Words the services put into the sentences; listed here so the catalogue has them.
PARTS = [
    gettext_noop("disetujui"), gettext_noop("ditolak"), gettext_noop("risiko tinggi"),
    gettext_noop("kekerasan seksual terhadap anak"), gettext_noop("belum ditetapkan"),
]


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in TEMPLATES:
        regex = re.escape(template)
        regex = re.sub(r"%\\\(([a-z]+)\\\)s", lambda m: f"(?P<{m.group(1)}>.+?)", regex)
        compiled.append((re.compile(regex + r"\Z", re.S), template))
    return compiled


def _service_label(text: str) -> str:
    for slug, label_id in codelists.choices("service", "id"):
        if label_id == text:
            return codelists.label("service", slug)
    return text


def render(message: str) -> str:
    """``message`` (as stored) in the active language."""
    for pattern, template in _patterns():
        match = pattern.match(message)
        if match is None:
            continue
        params = {}
        for name, value in match.groupdict().items():
            if name == "service":
                params[name] = _service_label(value)
            elif name in ("kind", "why", "decision", "who"):
                params[name] = gettext(value)
            else:
                params[name] = value
        return gettext(template) % params
    return message
