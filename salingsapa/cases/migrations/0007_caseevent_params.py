"""Timeline entries become an event kind plus parameters (``cases/timeline.py`` renders them in the reader's
language). Existing rows were Indonesian prose: ``legacy_params`` reads the sentences the services wrote back into
parameters; a sentence it cannot read is kept, as it was, under the kind ``legacy`` (shown as-is).

The Indonesian labels below are frozen here on purpose: they are the words the old rows contain, whatever the
code lists say later.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.db import migrations, models

STATUS = {"Baru": "new", "Asesmen": "assessment", "Rencana intervensi": "planning", "Layanan": "in_service",
          "Pemantauan": "monitoring", "Terminasi": "closed"}
RISK = {"Tinggi": "high", "Sedang": "medium", "Rendah": "low"}
NOTE = {"Sesi konseling": "counselling", "Kunjungan rumah": "home_visit", "Pendampingan hukum": "legal",
        "Medis / visum": "medical", "Laporan ke kepolisian": "police_report", "Persidangan": "court",
        "Mediasi": "mediation", "Rumah aman / penampungan": "shelter", "Kontak dengan korban/pelapor": "contact",
        "Catatan lain": "other"}
DEADLINE = {"Kontak pertama": "first_contact", "Laporan ke kepolisian (UU TPKS Pasal 41)": "tpks_police"}
ROLE = {"korban": "victim", "pelaku": "perpetrator", "pelapor": "reporter"}
JAKARTA = ZoneInfo("Asia/Jakarta")

FIXED: dict[tuple[str, str], dict[str, Any]] = {
    ("assigned", "Manajer kasus dilepas"): {"manager": ""},
    ("reopened", "Kasus dibuka kembali → Asesmen"): {"to": "assessment"},
    ("task", "Tugas diselesaikan"): {"what": "done"},
    ("document", "Dokumen diunggah"): {"what": "uploaded"},
    ("plan", "Rencana intervensi diajukan, menunggu persetujuan supervisor"): {"what": "submitted"},
    ("plan", "Rencana intervensi dicatat"): {"what": "recorded"},
    ("plan", "Rencana intervensi disetujui supervisor"): {"what": "approved"},
    ("plan", "Rencana intervensi ditolak supervisor"): {"what": "rejected"},
    ("closure", "Terminasi diajukan, menunggu persetujuan supervisor"): {"what": "requested"},
    ("closure", "Terminasi ditolak supervisor"): {"what": "rejected"},
    ("deadline", "Kontak pertama tercatat"): {"what": "first_contact"},
    ("deadline", "Laporan diteruskan ke kepolisian"): {"what": "police_reported"},
    ("consent", "Korban setuju dilaporkan ke kepolisian"): {"police_report": True},
    ("consent", "Korban tidak setuju dilaporkan ke kepolisian"): {"police_report": False},
    ("edited", "Data kejadian diperbarui"): {"what": "incident"},
}

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("opened", re.compile(r"Kasus dibuka dari pengaduan (?P<reference>\S+)")),
    ("report_attached", re.compile(r"Pengaduan (?P<reference>\S+) digabungkan ke kasus ini")),
    ("status", re.compile(r"Status: (?P<from>.+?) → (?P<to>.+)")),
    ("assigned", re.compile(r"Manajer kasus: (?P<manager>.+)")),
    ("risk", re.compile(r"Asesmen risiko: (?P<level>\w+) \(skor (?P<score>-?\d+), tanda bahaya (?P<red_flags>\d+)\)"
                        r"(?:; penilaian profesional: diturunkan dari (?P<previous>\w+) ke (?P<final>\w+)"
                        r"|; penilaian profesional mengubah hasil (?P<computed>\w+))?")),
    ("note", re.compile(r"Catatan: (?P<note>.+)")),
    ("task", re.compile(r"Tugas untuk (?P<assignee>.+), batas (?P<due>\d{2}-\d{2}-\d{4} \d{2}:\d{2})")),
    ("document", re.compile(r"Bukti #(?P<evidence>\d+) disembunyikan")),
    ("closure", re.compile(r"Terminasi disetujui supervisor: (?P<from>.+?) → Terminasi")),
    ("deadline", re.compile(r"Eskalasi ke supervisor: (?P<deadline>.+) terlewati")),
    ("edited", re.compile(r"Data (?P<role>korban|pelaku|pelapor) diperbarui")),
    ("edited", re.compile(r"(?P<role>Korban|Pelaku|Pelapor) ditambahkan")),
]


def _params(kind: str, m: re.Match[str]) -> dict[str, Any] | None:
    """Parameters from a matched sentence; None when a part is not a known label."""
    g = m.groupdict()
    if kind in ("opened", "report_attached"):
        return {"reference": g["reference"]}
    if kind == "status":
        if g["from"] in STATUS and g["to"] in STATUS:
            return {"from": STATUS[g["from"]], "to": STATUS[g["to"]]}
        return None
    if kind == "assigned":
        return {"manager": g["manager"]}
    if kind == "risk":
        if g["level"] not in RISK:
            return None
        params: dict[str, Any] = {"level": RISK[g["level"]], "score": int(g["score"]), "red_flags": int(g["red_flags"])}
        if g.get("previous"):
            if g["previous"] not in RISK or g["final"] != g["level"]:
                return None
            params.update(judgement="lowered", previous=RISK[g["previous"]])
        elif g.get("computed"):
            if g["computed"] not in RISK:
                return None
            params.update(judgement="changed", computed=RISK[g["computed"]])
        return params
    if kind == "note":
        return {"note_kind": NOTE[g["note"]]} if g["note"] in NOTE else None
    if kind == "task":
        due = dt.datetime.strptime(g["due"], "%d-%m-%Y %H:%M").replace(tzinfo=JAKARTA)
        return {"what": "created", "assignee": g["assignee"], "due": due.isoformat()}
    if kind == "document":
        return {"what": "evidence_hidden", "evidence": int(g["evidence"])}
    if kind == "closure":
        return {"what": "approved", "from": STATUS[g["from"]]} if g["from"] in STATUS else None
    if kind == "deadline":
        return {"what": "escalated", "deadline_kind": DEADLINE[g["deadline"]]} if g["deadline"] in DEADLINE else None
    if kind == "edited":
        role = g["role"].lower()
        return {"what": "person_updated" if m.group(0).startswith("Data ") else "person_added", "role": ROLE[role]}
    return None


def legacy_params(kind: str, text: str) -> tuple[str, dict[str, Any]]:
    """``(kind, params)`` for an old entry's kind and Indonesian sentence; ``("legacy", {...})`` when unreadable."""
    text = (text or "").strip()
    if (kind, text) in FIXED:
        return kind, dict(FIXED[kind, text])
    for pattern_kind, pattern in PATTERNS:
        if pattern_kind != kind:
            continue
        match = pattern.fullmatch(text)
        if match is not None:
            params = _params(kind, match)
            if params is not None:
                return kind, params
    return "legacy", {"text": text, "was": kind}


def forwards(apps: Any, schema_editor: Any) -> None:
    CaseEvent = apps.get_model("cases", "CaseEvent")
    batch = []
    for event in CaseEvent.objects.only("pk", "kind", "summary").iterator(chunk_size=2000):
        event.kind, event.params = legacy_params(event.kind, event.summary)
        batch.append(event)
        if len(batch) >= 2000:
            CaseEvent.objects.bulk_update(batch, ["kind", "params"])
            batch = []
    if batch:
        CaseEvent.objects.bulk_update(batch, ["kind", "params"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_alert_kind_security")]

    operations = [
        migrations.AddField(
            model_name="caseevent", name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameter"),
        ),
        migrations.AlterField(
            model_name="caseevent", name="kind",
            field=models.CharField(choices=[
                ("opened", "Kasus dibuka"), ("report_attached", "Pengaduan digabungkan"), ("status", "Status diubah"),
                ("assigned", "Manajer kasus ditetapkan"), ("risk", "Asesmen risiko"), ("note", "Catatan"),
                ("task", "Tugas"), ("document", "Dokumen"), ("plan", "Rencana intervensi"), ("closure", "Terminasi"),
                ("reopened", "Kasus dibuka kembali"), ("deadline", "Tenggat"), ("consent", "Persetujuan korban"),
                ("edited", "Data kasus diubah"), ("legacy", "Catatan lama"),
            ], max_length=20, verbose_name="jenis"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
