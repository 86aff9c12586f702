"""Exports: SIMFONI-PPA-aligned (personal data, encrypted) and de-identified for research.

* ``simfoni``: one row per victim of each case, with the columns of SIMFONI-PPA's victim form
  (identity, demographics, place, forms, perpetrator relationship, services). It contains personal
  data, so the file is always wrapped in an AES-256 encrypted ZIP (WinZip AES, ``core.crypto.encrypt_zip``) with a
  one-time random password that is shown once and never stored.
* ``research``: one row per victim with no name, NIK, address, phone, case number or exact date:
  a per-export random pseudonym for the case, the month of the report, the kecamatan (not the
  kelurahan), age group, sex and the categories. Not encrypted; still permission-gated and audited.

Rows are streamed from the database in chunks (``iterator(chunk_size=…)`` with prefetching), so an
export of a million cases never holds them all in memory. Every export writes one audit entry
(``action="export"``) with the kind, format, period and row count — never the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone

from salingsapa.cases.models import Case, CasePerson, Incident
from salingsapa.core import codelists, crypto, files
from salingsapa.core.audit import audit_log
from salingsapa.stats.engine import JAKARTA, StatsFilter, cases_in

logger = logging.getLogger("salingsapa.stats")

CHUNK = 1000

SIMFONI_COLUMNS: list[tuple[str, str]] = [
    ("no_registrasi", "No. Registrasi Kasus"),
    ("tanggal_pelaporan", "Tanggal Pelaporan"),
    ("tanggal_kejadian", "Tanggal Kejadian"),
    ("kode_provinsi", "Kode Provinsi"),
    ("kode_kabupaten_kota", "Kode Kabupaten/Kota"),
    ("kode_kecamatan", "Kode Kecamatan"),
    ("kecamatan", "Kecamatan"),
    ("kode_kelurahan", "Kode Kelurahan/Desa"),
    ("kelurahan", "Kelurahan/Desa"),
    ("tempat_kejadian", "Tempat Kejadian"),
    ("nama_korban", "Nama Korban"),
    ("nik_korban", "NIK Korban"),
    ("alamat_korban", "Alamat Korban"),
    ("telepon_korban", "No. Telepon Korban"),
    ("jenis_kelamin_korban", "Jenis Kelamin Korban"),
    ("kelompok_umur_korban", "Kelompok Umur Korban"),
    ("korban_anak", "Korban Anak"),
    ("pendidikan_korban", "Pendidikan Korban"),
    ("pekerjaan_korban", "Pekerjaan Korban"),
    ("status_perkawinan_korban", "Status Perkawinan Korban"),
    ("disabilitas_korban", "Disabilitas Korban"),
    ("bentuk_kekerasan", "Bentuk Kekerasan"),
    ("bentuk_tpks", "Bentuk TPKS (UU 12/2022)"),
    ("hubungan_pelaku", "Hubungan Pelaku dengan Korban"),
    ("jenis_kelamin_pelaku", "Jenis Kelamin Pelaku"),
    ("kelompok_umur_pelaku", "Kelompok Umur Pelaku"),
    ("jumlah_pelaku", "Jumlah Pelaku"),
    ("cara_kenal", "Cara Korban dan Pelaku Kenal"),
    ("platform", "Platform Media Sosial"),
    ("faktor_pendorong", "Faktor Pendorong"),
    ("sumber_pengaduan", "Sumber Pengaduan"),
    ("status_kasus", "Status Kasus"),
    ("tanggal_terminasi", "Tanggal Terminasi"),
]

RESEARCH_COLUMNS: list[tuple[str, str]] = [
    ("id_kasus", "ID Kasus (pseudonim per ekspor)"),
    ("bulan_pelaporan", "Bulan Pelaporan"),
    ("kode_kecamatan", "Kode Kecamatan"),
    ("kecamatan", "Kecamatan"),
    ("tempat_kejadian", "Tempat Kejadian"),
    ("jenis_kelamin_korban", "Jenis Kelamin Korban"),
    ("kelompok_umur_korban", "Kelompok Umur Korban"),
    ("korban_anak", "Korban Anak"),
    ("pendidikan_korban", "Pendidikan Korban"),
    ("disabilitas_korban", "Disabilitas Korban"),
    ("bentuk_kekerasan", "Bentuk Kekerasan"),
    ("bentuk_tpks", "Bentuk TPKS (UU 12/2022)"),
    ("hubungan_pelaku", "Hubungan Pelaku dengan Korban"),
    ("kelompok_umur_pelaku", "Kelompok Umur Pelaku"),
    ("cara_kenal", "Cara Korban dan Pelaku Kenal"),
    ("platform", "Platform Media Sosial"),
    ("faktor_pendorong", "Faktor Pendorong"),
    ("sumber_pengaduan", "Sumber Pengaduan"),
    ("status_kasus", "Status Kasus"),
    ("lama_penanganan", "Lama sampai Terminasi"),
]

KINDS = {"simfoni": SIMFONI_COLUMNS, "research": RESEARCH_COLUMNS}
FORMATS = ("xlsx", "csv")


def _labels(list_name: str, slugs: Any) -> str:
    return "; ".join(codelists.label(list_name, s, "id") for s in sorted(set(slugs)) if s)


def _cases(flt: StatsFilter) -> Iterator[Case]:
    incidents = Incident.objects.prefetch_related("violence_forms", "tpks_forms", "factors").order_by("pk")
    participants = CasePerson.objects.select_related("person").order_by("pk")
    qs = (
        cases_in(flt)
        .select_related("kelurahan", "kelurahan__parent")
        .prefetch_related(Prefetch("incidents", queryset=incidents), Prefetch("participants", queryset=participants))
        .order_by("reported_at", "pk")
    )
    yield from qs.iterator(chunk_size=CHUNK)


def _incident_facts(case: Case) -> dict[str, Any]:
    incs = list(case.incidents.all())
    first = incs[0] if incs else None
    return {
        "tanggal_kejadian": min((i.occurred_on for i in incs if i.occurred_on), default=None) or "",
        "tempat_kejadian": _labels("place", (i.place for i in incs)),
        "bentuk_kekerasan": _labels("violence_form", (c.slug for i in incs for c in i.violence_forms.all())),
        "bentuk_tpks": _labels("tpks_form", (c.slug for i in incs for c in i.tpks_forms.all())),
        "faktor_pendorong": _labels("factor", (c.slug for i in incs for c in i.factors.all())),
        "hubungan_pelaku": _labels("relationship", (i.relationship for i in incs)),
        "cara_kenal": _labels("met_via", (i.met_via for i in incs)),
        "platform": _labels("platform", (i.met_via_platform for i in incs)),
        "_first": first,
    }


def _region_parts(case: Case) -> dict[str, str]:
    kel = case.kelurahan
    if kel is None:
        return {"kode_provinsi": "", "kode_kabupaten_kota": "", "kode_kecamatan": "", "kecamatan": "",
                "kode_kelurahan": "", "kelurahan": ""}
    parts = kel.code.split(".")
    kec = kel.parent
    return {
        "kode_provinsi": parts[0],
        "kode_kabupaten_kota": ".".join(parts[:2]),
        "kode_kecamatan": kec.code if kec else ".".join(parts[:3]),
        "kecamatan": kec.name.title() if kec else "",
        "kode_kelurahan": kel.code,
        "kelurahan": kel.name.title(),
    }


class _VictimRow(NamedTuple):
    """One victim of one case, with the case facts both export layouts read."""

    case: Case
    facts: dict[str, Any]
    region: dict[str, str]
    link: CasePerson
    perps: list[CasePerson]

    def shared_columns(self) -> dict[str, Any]:
        """Columns both layouts carry, labels in Bahasa Indonesia."""
        person, case = self.link.person, self.case
        return {
            "jenis_kelamin_korban": codelists.label("sex", person.sex, "id"),
            "kelompok_umur_korban": self.link.age_group,
            "korban_anak": "Ya" if self.link.is_child else "Tidak",
            "pendidikan_korban": codelists.label("education", person.education, "id") if person.education else "",
            "disabilitas_korban": codelists.label("disability", person.disability, "id") if person.disability else "",
            "kelompok_umur_pelaku": "; ".join(sorted({p.age_group for p in self.perps if p.age_group})),
            "sumber_pengaduan": codelists.label("channel", case.channel, "id") if case.channel else "",
            "status_kasus": case.get_status_display(),
        }


def _victim_rows(flt: StatsFilter) -> Iterator[_VictimRow]:
    for case in _cases(flt):
        facts = _incident_facts(case)
        facts.pop("_first")
        region = _region_parts(case)
        people = list(case.participants.all())
        perps = [p for p in people if p.role == CasePerson.Role.PERPETRATOR]
        for link in (p for p in people if p.role == CasePerson.Role.VICTIM):
            yield _VictimRow(case, facts, region, link, perps)


def simfoni_rows(flt: StatsFilter) -> Iterator[dict[str, Any]]:
    for row in _victim_rows(flt):
        case, person = row.case, row.link.person
        yield {
            "no_registrasi": case.number,
            "tanggal_pelaporan": case.reported_at.astimezone(JAKARTA).date().isoformat(),
            **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.facts.items()},
            **row.region,
            "nama_korban": person.full_name,
            "nik_korban": person.nik,
            "alamat_korban": person.address,
            "telepon_korban": person.phone,
            **row.shared_columns(),
            "pekerjaan_korban": codelists.label("occupation", person.occupation, "id") if person.occupation else "",
            "status_perkawinan_korban": codelists.label("marital_status", person.marital_status, "id")
            if person.marital_status else "",
            "jenis_kelamin_pelaku": "; ".join(sorted({codelists.label("sex", p.person.sex, "id") for p in row.perps})),
            "jumlah_pelaku": len(row.perps),
            "tanggal_terminasi": case.closed_at.astimezone(JAKARTA).date().isoformat() if case.closed_at else "",
        }


def _duration_bucket(case: Case) -> str:
    if not case.closed_at:
        return "belum ditutup"
    days = (case.closed_at - case.reported_at).days
    return "≤30 hari" if days <= 30 else "31–90 hari" if days <= 90 else ">90 hari"


def research_rows(flt: StatsFilter) -> Iterator[dict[str, Any]]:
    pseudonymise = crypto.export_pseudonymiser()  # a fresh key per export: two exports cannot be linked
    pseudonyms: dict[int, str] = {}
    for row in _victim_rows(flt):
        case, facts = row.case, row.facts
        pseudonym = pseudonyms.setdefault(case.pk, pseudonymise(str(case.pk)))
        yield {
            "id_kasus": pseudonym,
            "bulan_pelaporan": case.reported_at.astimezone(JAKARTA).strftime("%Y-%m"),
            "kode_kecamatan": row.region["kode_kecamatan"],
            "kecamatan": row.region["kecamatan"],
            "tempat_kejadian": facts["tempat_kejadian"],
            **row.shared_columns(),
            "bentuk_kekerasan": facts["bentuk_kekerasan"],
            "bentuk_tpks": facts["bentuk_tpks"],
            "hubungan_pelaku": facts["hubungan_pelaku"],
            "cara_kenal": facts["cara_kenal"],
            "platform": facts["platform"],
            "faktor_pendorong": facts["faktor_pendorong"],
            "lama_penanganan": _duration_bucket(case),
        }


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _append_rows(append: Callable[[list[Any]], Any], rows: Iterator[dict[str, Any]], columns: list[tuple[str, str]],
                 progress: Callable[[int], None]) -> int:
    """Hand each row's cells, in column order and with formulas neutralised, to ``append`` (a CSV writer's
    ``writerow``, a sheet's ``append``), telling ``progress`` of each; returns how many rows there were."""
    n = 0
    for row in rows:
        append([_safe_cell(row.get(key, "")) for key, _label in columns])
        n += 1
        progress(1)
    return n


def _write_csv(rows: Iterator[dict[str, Any]], columns: list[tuple[str, str]], progress: Callable[[int], None]) -> tuple[bytes, int]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([c[0] for c in columns])
    n = _append_rows(writer.writerow, rows, columns, progress)
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), n  # BOM: Excel opens it as UTF-8


def _write_xlsx(rows: Iterator[dict[str, Any]], columns: list[tuple[str, str]], progress: Callable[[int], None], title: str) -> tuple[bytes, int]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([c[1] for c in columns])
    ws.append([c[0] for c in columns])
    n = _append_rows(ws.append, rows, columns, progress)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n


@dataclass
class ExportResult:
    filename: str
    content: bytes
    rows: int
    password: str | None  # shown once when the file is encrypted
    content_type: str


def export_run(
    *, user: Any, kind: str, fmt: str, flt: StatsFilter, progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Build an export for a supervisor of the lead agency. Audited; personal data always encrypted."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError("jenis atau format ekspor tidak dikenal")
    if isinstance(user, str):  # a system actor from the command line is not allowed: exports need a person
        raise PermissionDenied("Ekspor memerlukan akun supervisor.")
    if not getattr(user, "is_authenticated", False) or not user.is_supervisor:
        audit_log(actor=user, action="denied", object_type="stats.export", detail={"kind": kind})
        raise PermissionDenied("Hanya supervisor UPTD PPA yang dapat mengekspor data.")
    from dataclasses import replace

    flt = replace(flt, organisation_id=user.organisation_id)
    tick = progress or (lambda n: None)
    rows = simfoni_rows(flt) if kind == "simfoni" else research_rows(flt)
    columns = KINDS[kind]
    stem = f"{'simfoni-ppa' if kind == 'simfoni' else 'riset'}-{flt.start:%Y%m%d}-{flt.end:%Y%m%d}"
    if fmt == "csv":
        payload, n = _write_csv(rows, columns, tick)
    else:
        payload, n = _write_xlsx(rows, columns, tick, "SIMFONI-PPA" if kind == "simfoni" else "Riset")
    inner = f"{stem}.{fmt}"
    password = None
    if kind == "simfoni":
        password = crypto.one_time_password()
        content, filename, ctype = crypto.encrypt_zip(inner, payload, password), f"{stem}.zip", "application/zip"
    else:
        content, filename = payload, inner
        ctype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_log(
        actor=user, action="export", object_type="stats.export",
        detail={"kind": kind, "format": fmt, "period": [flt.start.isoformat(), flt.end.isoformat()], "rows": n,
                "encrypted": password is not None},
    )
    return ExportResult(filename, content, n, password, ctype)


def export_count(flt: StatsFilter) -> int:
    """How many victim rows an export would have (for a progress bar)."""
    return CasePerson.objects.filter(case__in=cases_in(flt), role=CasePerson.Role.VICTIM).count()


# --- one-time download storage --------------------------------------------------------------
# A finished export waits for its one download in the ``exports`` file storage (core/files.py): sealed
# like evidence before it leaves the process, on disk or in object storage, so a worker on another
# machine can write it and any app server can hand it out.

STASH_MAX_AGE_SECONDS = 24 * 3600
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _stashed_at(name: str) -> dt.datetime | None:
    """When an export was stashed, from its name (``t<unix seconds>-<random>``): the age does not depend on
    whether the storage backend can tell file times. None for a name of another form."""
    stamp, sep, _ = name.partition("-")
    if not sep or not stamp.startswith("t") or not stamp[1:].isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(stamp[1:]), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):  # a stray name with a time no clock can hold: treated as old
        return None


def _expired(name: str, cutoff: dt.datetime) -> bool:
    stashed = _stashed_at(name)
    return stashed is None or stashed < cutoff


def _purge_stale() -> None:
    """Exports never downloaded are deleted after a day (a name without a stash time is deleted too)."""
    cutoff = timezone.now() - dt.timedelta(seconds=STASH_MAX_AGE_SECONDS)
    for name in list(files.walk(files.EXPORTS)):
        if _expired(name, cutoff):
            files.delete_sealed_file(name, alias=files.EXPORTS)


def stash(result: ExportResult) -> str:
    """Keep a finished export (sealed) until its one download, at most a day; returns an unguessable token
    (its stash time, then 192 random bits)."""
    _purge_stale()
    token = f"t{int(timezone.now().timestamp())}-{secrets.token_urlsafe(24)}"
    head = json.dumps({"filename": result.filename, "content_type": result.content_type}).encode()
    files.store_sealed_file(head + b"\n" + result.content, purpose="export", alias=files.EXPORTS, name=token)
    return token


def take(token: str) -> tuple[str, str, bytes] | None:
    """Fetch and delete a stashed export (one download only, within a day of its stash)."""
    if not token or not set(token) <= _TOKEN_CHARS:
        return None
    if _expired(token, timezone.now() - dt.timedelta(seconds=STASH_MAX_AGE_SECONDS)):
        files.delete_sealed_file(token, alias=files.EXPORTS)
        return None
    try:
        data = files.read_sealed_file(token, purpose="export", alias=files.EXPORTS)
    except (FileNotFoundError, crypto.CryptoError):
        return None
    files.delete_sealed_file(token, alias=files.EXPORTS)
    head, _, content = data.partition(b"\n")
    meta = json.loads(head)
    return meta["filename"], meta["content_type"], content
