"""Synthetic demo data for Kota Serang: organisations, demo users, reports, cases, persons, incidents.

Everything here is FAKE. Names are combined from lists of common Indonesian name parts, NIKs
and phone numbers are random digits in the right shape; no record describes a real person.

Two modes (``salingsapa seed-demo``):

* **Article picture** (no ``--cases``): exactly the picture of the seed article (Bantentv.com,
  15 October 2025) -- 60 cases reported in 2024 and 64 in January-October 2025, mostly sexual
  violence, perpetrators mostly known to the victim, many met through social media, economic
  factors frequent. The *marginal counts* below are exact for every seed; the seed (default
  2025) only decides which case gets which value (so cross-tabulations differ between seeds but
  are identical for one seed).
* **Scaled** (``--cases N``): N cases spread over 2020-2025 in proportion to Banten's SIMFONI-PPA
  totals (:data:`SCALED_YEAR_WEIGHTS`), written in batches of ``--batch-size`` cases (one
  transaction each; multi-row inserts, see :func:`salingsapa.demo.bulk.bulk_insert`) so memory stays bounded; each batch of B cases follows the combined 2024+2025 tables scaled to B
  (largest-remainder rounding), so proportions stay close to the article picture.

Exact composition of the article picture (constants below; one victim, one perpetrator and
one incident per case -- except the 6 cases with an unknown perpetrator, which have no
perpetrator person; ``reported_at`` is between 07:00 and 21:59 Asia/Jakarta, so the year
and month are the same in UTC and local time):

====================================  =========  ==========  =====
dimension                              2024       2025 (1-10)  total
====================================  =========  ==========  =====
cases                                  60         64          124
cases with form ``seksual``            35         42          77
``fisik``                              13         11          24
``psikis``                             20         21          41
``penelantaran``                       4          3           7
``eksploitasi``                        1          2           3
``trafficking``                        1          1           2
relationship ``tidak-diketahui``       3          3           6
relationship known to the victim       57         61          118
met_via ``media-sosial``               22         26          48
factor ``ekonomi``                     35         39          74
factor ``pengaruh-media-sosial``       22         26          48
child victims (age group 0-17)         38         41          79
female victims                         52         56          108
====================================  =========  ==========  =====

Per month, per kecamatan, per form combination, per relationship / met_via pair, per platform,
per channel and per victim age group and sex, see :data:`MONTHLY`, :data:`KECAMATAN`,
:data:`FORMS`, :data:`RELATIONSHIPS`, :data:`PLATFORMS`, :data:`CHANNELS` and :data:`VICTIMS`
(counts per year; :func:`article_counts` sums any of them). Every case has a report
(``intake.Report``, status ``case_opened``) with the case's channel. Also exact:
:data:`REPEAT_PERPETRATORS` perpetrators are each linked to two cases (met on the same
platform, with a shared social-media handle on the person and in both reports), and
:data:`EXTRA_REPORTS` reports without a case (``new`` and ``in_review`` ones are dated within
the last two days of the run, the only part that depends on the clock; ``not_violence`` ones in
October 2025). Seed-dependent (but deterministic): which kelurahan within a kecamatan, the
day and time within a month, UU TPKS forms of sexual cases (every sexual case has at least
one), place, other factors, status, risk level, reporter role, names and identifiers.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.utils import timezone

from salingsapa.accounts.models import AuthenticatorDevice, Organisation, User
from salingsapa.cases import sla
from salingsapa.cases.models import Case, CasePerson, Deadline, Incident, Person, PersonIdentifier
from salingsapa.cases.services import case_numbers_allocate
from salingsapa.core.audit import audit_log
from salingsapa.core.codelists import CHILD_AGE_GROUPS
from salingsapa.core.identifiers import identifier_index
from salingsapa.core.models import Code, Region
from salingsapa.demo import bulk, casework
from salingsapa.demo.bulk import bulk_insert, check_references, load_session, new
from salingsapa.intake.models import Report, ReportIdentifier
from salingsapa.network.models import Consent, Referral, ServiceDelivery

T = TypeVar("T")

DEFAULT_SEED = 2025
JAKARTA = ZoneInfo("Asia/Jakarta")
ARTICLE_HORIZON = dt.datetime(2025, 10, 31, 23, 0, tzinfo=JAKARTA)  # the article's data ends here
CASEWORK_SEED = 41
ACTOR = "system:seed-demo"
LOGINS_FILE = "demo-logins.json"

# --- the article picture: exact counts per year --------------------------------------------

ARTICLE_YEARS = {2024: 60, 2025: 64}

# Cases per month (2024: January-December, 2025: January-October).
MONTHLY: dict[int, tuple[int, ...]] = {
    2024: (4, 5, 5, 6, 4, 5, 6, 5, 5, 6, 4, 5),
    2025: (6, 5, 7, 6, 7, 6, 8, 7, 6, 6),
}

# Cases per kecamatan (Kemendagri code) -- the kelurahan within it is drawn by the seed.
KECAMATAN: dict[int, dict[str, int]] = {
    2024: {"36.73.01": 14, "36.73.02": 11, "36.73.03": 9, "36.73.04": 6, "36.73.05": 11, "36.73.06": 9},
    2025: {"36.73.01": 15, "36.73.02": 12, "36.73.03": 10, "36.73.04": 7, "36.73.05": 11, "36.73.06": 9},
}

# The set of violence forms of each case (SIMFONI-PPA slugs; several per case).
FORMS: dict[int, dict[tuple[str, ...], int]] = {
    2024: {
        ("seksual",): 26,
        ("seksual", "psikis"): 8,
        ("fisik",): 8,
        ("fisik", "psikis"): 4,
        ("fisik", "psikis", "seksual"): 1,
        ("psikis",): 7,
        ("penelantaran",): 4,
        ("eksploitasi",): 1,
        ("trafficking",): 1,
    },
    2025: {
        ("seksual",): 30,
        ("seksual", "psikis"): 10,
        ("fisik",): 7,
        ("fisik", "psikis"): 4,
        ("psikis",): 7,
        ("penelantaran",): 3,
        ("eksploitasi", "seksual"): 2,
        ("trafficking",): 1,
    },
}

# (relationship of perpetrator to victim, how they met): cases.
RELATIONSHIPS: dict[int, dict[tuple[str, str], int]] = {
    2024: {
        ("orang-tua", "keluarga"): 6,
        ("keluarga-saudara", "keluarga"): 7,
        ("suami-istri", "keluarga"): 6,
        ("pacar-teman", "media-sosial"): 12,
        ("pacar-teman", "sekolah"): 3,
        ("pacar-teman", "lingkungan-rumah"): 2,
        ("kenalan-daring", "media-sosial"): 10,
        ("guru", "sekolah"): 2,
        ("tetangga", "lingkungan-rumah"): 6,
        ("majikan", "tempat-kerja"): 1,
        ("rekan-kerja", "tempat-kerja"): 1,
        ("lainnya", "tempat-umum"): 1,
        ("tidak-diketahui", "tidak-kenal"): 3,
    },
    2025: {
        ("orang-tua", "keluarga"): 6,
        ("keluarga-saudara", "keluarga"): 7,
        ("suami-istri", "keluarga"): 5,
        ("pacar-teman", "media-sosial"): 14,
        ("pacar-teman", "sekolah"): 3,
        ("pacar-teman", "lingkungan-rumah"): 2,
        ("kenalan-daring", "media-sosial"): 12,
        ("guru", "sekolah"): 3,
        ("tetangga", "lingkungan-rumah"): 6,
        ("majikan", "tempat-kerja"): 1,
        ("rekan-kerja", "tempat-kerja"): 1,
        ("lainnya", "tempat-umum"): 1,
        ("tidak-diketahui", "tidak-kenal"): 3,
    },
}

# Platform of the cases that met via social media (sums to the media-sosial cases of the year).
PLATFORMS: dict[int, dict[str, int]] = {
    2024: {"facebook": 7, "instagram": 5, "tiktok": 4, "whatsapp": 4, "michat": 2},
    2025: {"facebook": 7, "instagram": 6, "tiktok": 7, "whatsapp": 3, "michat": 2, "game-online": 1},
}

# Cases with the factor "ekonomi" (every media-sosial case also has "pengaruh-media-sosial").
ECONOMIC: dict[int, int] = {2024: 35, 2025: 39}

# (victim age group, victim sex): cases.
VICTIMS: dict[int, dict[tuple[str, str], int]] = {
    2024: {
        ("0-5", "female"): 2, ("0-5", "male"): 2,
        ("6-12", "female"): 8, ("6-12", "male"): 4,
        ("13-17", "female"): 20, ("13-17", "male"): 2,
        ("18-24", "female"): 8,
        ("25-44", "female"): 11,
        ("45-59", "female"): 3,
    },
    2025: {
        ("0-5", "female"): 2, ("0-5", "male"): 1,
        ("6-12", "female"): 9, ("6-12", "male"): 4,
        ("13-17", "female"): 22, ("13-17", "male"): 3,
        ("18-24", "female"): 9,
        ("25-44", "female"): 11,
        ("45-59", "female"): 2,
        ("60+", "female"): 1,
    },
}

# First channel of each case (its report's channel).
CHANNELS: dict[int, dict[str, int]] = {
    2024: {"walk_in": 22, "phone": 12, "whatsapp": 14, "outreach": 5, "sapa129": 4, "partner": 3},
    2025: {"walk_in": 18, "whatsapp": 20, "phone": 9, "web": 6, "outreach": 6, "sapa129": 3, "partner": 2},
}

REPEAT_PERPETRATORS = 4  # perpetrators linked to two cases each
EXTRA_REPORTS = {"new": 5, "in_review": 3, "not_violence": 4}  # reports that are not (yet) cases

# --- scaled mode ------------------------------------------------------------------------------

# Banten province, SIMFONI-PPA cases per year: the shape of the spread over "recent years".
SCALED_YEAR_WEIGHTS = {2020: 472, 2021: 829, 2022: 1131, 2023: 1026, 2024: 1114, 2025: 1254}
BATCH_SIZE = 1000
SCALED_REPEAT_SHARE = 0.02  # share of cases whose perpetrator also appears in another case
SCALED_NOT_VIOLENCE_SHARE = 0.1  # reports closed as "not violence", per case
SCALED_HORIZON = dt.datetime(max(SCALED_YEAR_WEIGHTS), 12, 31, 23, 0, tzinfo=JAKARTA)


def _combined(tables: dict[int, dict[Any, int]]) -> dict[Any, int]:
    total: Counter[Any] = Counter()
    for table in tables.values():
        total.update(table)
    return dict(total)


def article_counts(table: dict[int, dict[Any, int]], predicate: Callable[[Any], bool], year: int | None = None) -> int:
    """Sum a composition table over keys matching ``predicate`` (one year, or both)."""
    years = [year] if year is not None else list(table)
    return sum(n for y in years for key, n in table[y].items() if predicate(key))


SEXUAL_CASES = {y: article_counts(FORMS, lambda k: "seksual" in k, y) for y in ARTICLE_YEARS}
SOCIAL_MEDIA_CASES = {y: article_counts(RELATIONSHIPS, lambda k: k[1] == "media-sosial", y) for y in ARTICLE_YEARS}
UNKNOWN_PERPETRATOR_CASES = {y: article_counts(RELATIONSHIPS, lambda k: k[0] == "tidak-diketahui", y) for y in ARTICLE_YEARS}


def _check_tables() -> None:
    for year, n in ARTICLE_YEARS.items():
        for name, table in (("KECAMATAN", KECAMATAN), ("FORMS", FORMS), ("RELATIONSHIPS", RELATIONSHIPS),
                            ("VICTIMS", VICTIMS), ("CHANNELS", CHANNELS)):
            assert sum(table[year].values()) == n, (name, year)
        assert sum(MONTHLY[year]) == n, ("MONTHLY", year)
        assert sum(PLATFORMS[year].values()) == SOCIAL_MEDIA_CASES[year], ("PLATFORMS", year)


_check_tables()

# --- organisations and users ------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    short_name: str
    kind: str
    services: tuple[str, ...]
    address: str = ""
    opening_hours: str = "Senin-Jumat 08.00-16.00"
    capacity_per_month: int | None = None
    region: str = "36.73"


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("uptd", "UPTD PPA DP3AKB Kota Serang", "UPTD PPA", "uptd_ppa",
            ("pengaduan", "rumah-aman", "mediasi", "pemulangan", "reintegrasi-sosial", "psikologis"),
            "Rumah Kolaborasi Saling Sapa, Kota Serang", "Setiap hari 24 jam (pengaduan)", 40),
    OrgSpec("psychology", "Himpunan Psikologi Indonesia (HIMPSI) Wilayah Banten", "HIMPSI Banten", "psychology",
            ("psikologis",), "Kota Serang", capacity_per_month=20),
    OrgSpec("legal", "Lembaga Bantuan Hukum Perempuan dan Anak Banten", "LBH PA Banten", "legal_aid",
            ("bantuan-hukum", "mediasi"), "Kota Serang", capacity_per_month=12),
    OrgSpec("rsud", "RSUD Kota Serang", "RSUD", "health", ("kesehatan",), "Kota Serang",
            "Setiap hari 24 jam (IGD)", 30),
    OrgSpec("puskesmas", "Puskesmas Kasemen", "PKM Kasemen", "health", ("kesehatan",), "Kec. Kasemen",
            capacity_per_month=15, region="36.73.02"),
    OrgSpec("police", "Unit PPA Satreskrim Polresta Serang Kota", "Unit PPA Polresta", "police",
            ("penegakan-hukum",), "Kota Serang", "Setiap hari 24 jam", 25),
    OrgSpec("social", "Dinas Sosial Kota Serang", "Dinsos", "social",
            ("rehabilitasi-sosial", "reintegrasi-sosial", "pemulangan", "pemberdayaan-ekonomi"), "Kota Serang",
            capacity_per_month=15),
    OrgSpec("religious", "Kantor Kementerian Agama Kota Serang", "Kemenag", "religious",
            ("pendampingan-tokoh-agama",), "Kota Serang", capacity_per_month=10),
    OrgSpec("education", "Dinas Pendidikan dan Kebudayaan Kota Serang", "Dindikbud", "education",
            ("reintegrasi-sosial",), "Kota Serang"),
    OrgSpec("patbm-kasemen", "PATBM Kelurahan Kasemen", "PATBM Kasemen", "community", ("pengaduan",),
            "Kel. Kasemen", "Sesuai kesepakatan", region="36.73.02"),
    OrgSpec("patbm-cipocok", "PATBM Kelurahan Cipocok Jaya", "PATBM Cipocok", "community", ("pengaduan",),
            "Kel. Cipocok Jaya", "Sesuai kesepakatan", region="36.73.05"),
    OrgSpec("patbm-taktakan", "PATBM Kelurahan Taktakan", "PATBM Taktakan", "community", ("pengaduan",),
            "Kel. Taktakan", "Sesuai kesepakatan", region="36.73.06"),
    OrgSpec("media", "Forum Jurnalis Ramah Anak Serang", "Jurnalis Ramah Anak", "media", (), "Kota Serang"),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    org: str
    first_name: str
    last_name: str
    staff: bool = False
    on_duty: bool = False


DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec("admin", "admin", "uptd", "Admin", "Sistem", staff=True),
    UserSpec("petugas", "intake_officer", "uptd", "Rina", "Petugas", on_duty=True),
    UserSpec("manajer1", "case_manager", "uptd", "Dewi", "Manajer"),
    UserSpec("manajer2", "case_manager", "uptd", "Agus", "Manajer"),
    UserSpec("supervisor", "supervisor", "uptd", "Hendra", "Kepala"),
    UserSpec("konselor", "counsellor", "uptd", "Wulan", "Konselor"),
    UserSpec("psikolog", "partner", "psychology", "Intan", "Psikolog"),
    UserSpec("advokat", "partner", "legal", "Fajar", "Advokat"),
    UserSpec("nakes", "partner", "rsud", "Ratna", "Nakes"),
    UserSpec("polisi", "partner", "police", "Lukman", "Penyidik"),
    UserSpec("media", "media", "media", "Mega", "Jurnalis"),
)


def organisations_ensure() -> dict[str, Any]:
    """Create (or find) the demo organisations; returns them by key."""
    regions = {r.code: r for r in Region.objects.filter(code__in={o.region for o in ORGANISATIONS} | {"36.73"})}
    result = {}
    for spec in ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={
                "short_name": spec.short_name,
                "kind": spec.kind,
                "services": list(spec.services),
                "address": spec.address,
                "opening_hours": spec.opening_hours,
                "capacity_per_month": spec.capacity_per_month,
                "region": regions.get(spec.region),
                "is_public": spec.kind != "media",
            },
        )
        if created and "36.73" in regions:
            org.service_area.add(regions[spec.region] if spec.region in regions else regions["36.73"])
        result[spec.key] = org
    return result


def logins_path() -> Path:
    return Path(settings.DATA_DIR) / LOGINS_FILE


_WORDS = ("sapa", "pelangi", "merpati", "melati", "kenanga", "cahaya", "teduh", "rumah", "karang",
          "banten", "surosowan", "pantai", "sawah", "bintang", "embun", "angin", "gunung", "delima",
          "kelapa", "durian", "rambutan", "nangka", "kenari", "jalak", "elang", "kancil", "sungai", "muara",
          "perahu", "lentera", "pelita", "fajar", "senja", "hujan", "pelabuhan", "menara", "benteng", "kapuk")


def _new_password() -> str:
    words = [secrets.choice(_WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(10000):04d}"


def read_logins() -> list[dict[str, str]]:
    path = logins_path()
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8")).get("users", []))


def _write_logins(rows: list[dict[str, str]]) -> None:
    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"users": rows}, fh, indent=2)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def demo_users_ensure(orgs: dict[str, Any]) -> dict[str, Any]:
    """Create the demo users (one per role) with passwords generated once into the data folder.

    Passwords already in ``demo-logins.json`` are kept, so re-running keeps working logins.
    """
    stored = {row["username"]: row["password"] for row in read_logins()}
    rows = []
    users = {}
    for spec in DEMO_USERS:
        password = stored.get(spec.username) or _new_password()
        org = orgs[spec.org]
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username)
        user.role = spec.role
        user.organisation = org
        user.first_name = spec.first_name
        user.last_name = spec.last_name
        user.is_staff = spec.staff
        user.is_superuser = spec.staff
        user.on_duty = spec.on_duty
        user.is_active = True
        if user.pk is None or spec.username not in stored or not user.check_password(password):
            user.password = make_password(password)
        user.save()
        _demo_second_factor(user)
        users[spec.username] = user
        rows.append({
            "username": spec.username,
            "password": password,
            "role": spec.role,
            "organisation": str(org),
        })
    _write_logins(rows)
    return users


def _demo_second_factor(user: Any) -> None:
    """Staff sign in with a second factor. So the demo works without an authenticator app, each demo
    user gets an authenticator device whose current code ``salingsapa demo-logins`` shows (demo only)."""
    if not AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
        AuthenticatorDevice.objects.create(user=user, name="Demo", confirmed=True)


def demo_totp(username: str) -> tuple[str, int, bool] | None:
    """The code a demo user's authenticator app shows now: (code, seconds left, enrolled).

    ``enrolled`` is False when the user's second factor was reset and the code belongs to the new,
    not yet confirmed device that the enrolment page offers (so the demo keeps working after a reset).
    Never used outside the demo (``demo-logins`` refuses to run in production).
    """
    devices = AuthenticatorDevice.objects.filter(user__username=username).order_by("-confirmed", "-id")
    device = devices.first()
    if device is None:
        return None
    return device.current_code(), device.seconds_left(), device.confirmed


# --- fake people ------------------------------------------------------------------------------

FEMALE_FIRST = ("Siti", "Nur", "Dewi", "Rina", "Ayu", "Putri", "Intan", "Wulan", "Nabila", "Aisyah", "Fitri",
                "Rahma", "Salsabila", "Zahra", "Nurul", "Euis", "Neng", "Iis", "Yanti", "Tuti", "Eneng", "Dian",
                "Ratna", "Mega", "Anisa", "Laila", "Maya", "Novi", "Sri", "Rohmah", "Lilis", "Aulia")
MALE_FIRST = ("Ahmad", "Muhammad", "Rizky", "Dedi", "Asep", "Ujang", "Agus", "Budi", "Hendra", "Iwan", "Jajang",
              "Ade", "Dadang", "Eko", "Fajar", "Gilang", "Hasan", "Irfan", "Joko", "Kurnia", "Lukman", "Mulyadi",
              "Nanang", "Oman", "Rudi", "Samsul", "Tatang", "Usman", "Wahyu", "Yusuf", "Aceng", "Deden")
FEMALE_LAST = ("Rahmawati", "Sari", "Nurjanah", "Kurniasih", "Suryani", "Fauziah", "Lestari", "Hasanah",
               "Rohayati", "Komariah", "Mulyani", "Maryam", "Susanti", "Handayani", "Wulandari", "Fitriani")
MALE_LAST = ("Hidayat", "Saputra", "Maulana", "Setiawan", "Permana", "Ramadhan", "Pratama", "Syahputra",
             "Firmansyah", "Sulaeman", "Jaenudin", "Hakim", "Nugraha", "Kusuma", "Gunawan", "Supriadi")
STREETS = ("Jl. Raya Serang-Pandeglang", "Jl. Ki Mas Jong", "Jl. Kiyai Haji Abdul Hadi", "Jl. Sempu",
           "Jl. Lingkar Selatan", "Jl. Raya Taktakan", "Jl. Raya Petir", "Jl. Tirtayasa", "Jl. Kagungan",
           "Jl. Bhayangkara", "Jl. Syech Nawawi Al Bantani", "Jl. Raya Banten", "Gg. Masjid", "Gg. Mawar",
           "Kp. Sukajaya", "Kp. Cilaku", "Kp. Kalanganyar", "Perum Bumi Serang Baru")
PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857", "858", "859", "877", "878", "881",
                  "882", "895", "896", "897", "898", "899")
AGE_RANGES = {"0-5": (0, 5), "6-12": (6, 12), "13-17": (13, 17), "18-24": (18, 24), "25-44": (25, 44),
              "45-59": (45, 59), "60+": (60, 75)}
HANDLE_PLATFORMS = {"facebook", "instagram", "tiktok", "telegram", "x"}  # identifiers.KINDS with handles


def fake_name(rng: random.Random, sex: str) -> str:
    if sex == "male":
        return f"{rng.choice(MALE_FIRST)} {rng.choice(MALE_LAST)}"
    return f"{rng.choice(FEMALE_FIRST)} {rng.choice(FEMALE_LAST)}"


def fake_phone(rng: random.Random) -> tuple[str, str]:
    """``(as written, E.164)`` -- the E.164 form is what ``normalise_phone`` returns for it."""
    national = "0" + rng.choice(PHONE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
    return national, "+62" + national[1:]


def fake_nik(rng: random.Random, kecamatan_code: str, birth: dt.date, sex: str) -> str:
    """16 digits shaped like a Kota Serang NIK: region (6), birth date (+40 for women), serial (4)."""
    region = kecamatan_code.replace(".", "")[:6]
    day = birth.day + (40 if sex == "female" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def fake_birth(rng: random.Random, age_group: str, on: dt.date) -> dt.date:
    low, high = AGE_RANGES[age_group]
    age = rng.randint(low, high)
    return on - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def fake_handle(rng: random.Random, name: str) -> str:
    first = name.split()[0].lower()
    return f"{first}{rng.choice(['', '.', '_'])}{rng.choice(['ganteng', 'kece', 'serang', 'real', 'official', 'bae', '99', '07'])}{rng.randint(1, 999)}"


def fake_address(rng: random.Random, kelurahan_name: str) -> str:
    return (f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}, RT {rng.randint(1, 12):03d}/RW "
            f"{rng.randint(1, 8):03d}, Kel. {kelurahan_name}, Kota Serang")


# --- planning ---------------------------------------------------------------------------------


def scale_table(table: dict[T, int], n: int) -> dict[T, int]:
    """Scale counts to sum to ``n`` (largest remainder; ties by table order)."""
    total = sum(table.values())
    if total == n:
        return dict(table)
    if total == 0 or n == 0:
        return dict.fromkeys(table, 0)
    exact = {k: v * n / total for k, v in table.items()}
    counts = {k: int(x) for k, x in exact.items()}
    short = n - sum(counts.values())
    order = sorted(table, key=lambda k: -(exact[k] - counts[k]))
    for k in order[:short]:
        counts[k] += 1
    return counts


def _deck(rng: random.Random, table: dict[T, int], n: int) -> list[T]:
    items = [k for k, c in scale_table(table, n).items() for _ in range(c)]
    rng.shuffle(items)
    return items


_ADULT = ("18-24", "25-44", "45-59", "60+")
_TEEN_PLUS = ("13-17", *_ADULT)
_SCHOOL = ("6-12", "13-17")
_CHILD = ("0-5", "6-12", "13-17")
# Which victim age groups a relationship may be given to (most constrained first).
RELATIONSHIP_AGES: dict[str, tuple[str, ...]] = {
    "suami-istri": _ADULT, "majikan": _ADULT, "rekan-kerja": _ADULT,
    "pacar-teman": _TEEN_PLUS, "kenalan-daring": _TEEN_PLUS,
    "guru": _SCHOOL, "orang-tua": _CHILD,
}
# Forms placed preferably on cases with these relationships.
FORM_RELATIONSHIPS: dict[str, tuple[str, ...]] = {
    "penelantaran": ("orang-tua", "suami-istri", "keluarga-saudara"),
    "trafficking": ("kenalan-daring", "lainnya", "pacar-teman"),
    "eksploitasi": ("kenalan-daring", "majikan", "pacar-teman", "lainnya"),
}


def _constrained_assign(
    rng: random.Random, slots: list[Any], items: list[T], allowed: Callable[[T], tuple[Any, ...] | None],
    slot_key: Callable[[Any], Any],
) -> list[T]:
    """Give each slot one item; constrained items go (if possible) to slots whose key they allow."""
    pools: dict[Any, list[int]] = defaultdict(list)
    for i, slot in enumerate(slots):
        pools[slot_key(slot)].append(i)
    for pool in pools.values():
        rng.shuffle(pool)
    result: list[Any] = [None] * len(slots)
    ranked = sorted(range(len(items)), key=lambda j: len(allowed(items[j]) or ()) or 999)
    leftovers: list[T] = []
    for j in ranked:
        keys = allowed(items[j])
        if keys is None:
            leftovers.append(items[j])
            continue
        options = [(k, len(pools[k])) for k in keys if pools.get(k)]
        if not options:
            leftovers.append(items[j])
            continue
        pick = rng.random() * sum(n for _, n in options)
        chosen = options[-1][0]
        for key, n in options:
            if pick < n:
                chosen = key
                break
            pick -= n
        result[pools[chosen].pop()] = items[j]
    free = [i for pool in pools.values() for i in pool]
    free.sort()
    rng.shuffle(free)
    for i, item in zip(free, leftovers, strict=True):
        result[i] = item
    return result


@dataclass
class CasePlan:
    year: int
    reported_at: dt.datetime
    kecamatan: str
    kelurahan: str = ""
    victim_age: str = ""
    victim_sex: str = ""
    forms: tuple[str, ...] = ()
    tpks: tuple[str, ...] = ()
    relationship: str = ""
    met_via: str = ""
    platform: str = ""
    factors: tuple[str, ...] = ()
    channel: str = ""
    reporter_role: str = ""
    place: str = ""
    status: str = "new"
    risk: str = ""
    emergency: bool = False
    occurred_on: dt.date | None = None
    repeat_key: int | None = None  # cases sharing a key share their perpetrator
    extra: dict[str, Any] = field(default_factory=dict)


def _tpks_forms(rng: random.Random, plan: CasePlan) -> tuple[str, ...]:
    if "seksual" not in plan.forms:
        return ()
    child = plan.victim_age in CHILD_AGE_GROUPS
    if plan.relationship == "suami-istri":
        main = "kekerasan-seksual-rumah-tangga"
    elif child:
        main = rng.choices(["persetubuhan-terhadap-anak", "perbuatan-cabul", "pelecehan-seksual-fisik"], [50, 35, 15])[0]
    else:
        main = rng.choices(["perkosaan", "pelecehan-seksual-fisik", "pelecehan-seksual-nonfisik", "perbuatan-cabul"],
                           [30, 30, 20, 20])[0]
    forms = [main]
    if plan.met_via == "media-sosial" and rng.random() < 0.5:
        forms.append("kekerasan-seksual-berbasis-elektronik")
    if "eksploitasi" in plan.forms:
        forms.append("eksploitasi-seksual")
    if "trafficking" in plan.forms:
        forms.append("tppo-eksploitasi-seksual")
    return tuple(dict.fromkeys(forms))


def _place(rng: random.Random, plan: CasePlan) -> str:
    if plan.met_via == "keluarga" or plan.relationship in {"orang-tua", "suami-istri"}:
        return "rumah-tangga"
    if plan.met_via == "sekolah":
        return rng.choice(["sekolah", "sekolah", "fasilitas-umum"])
    if plan.met_via == "tempat-kerja":
        return "tempat-kerja"
    if plan.met_via == "media-sosial":
        return "daring" if "kekerasan-seksual-berbasis-elektronik" in plan.tpks else rng.choice(
            ["rumah-tangga", "fasilitas-umum", "lainnya"])
    return rng.choice(["rumah-tangga", "fasilitas-umum", "lainnya"])


def _other_factors(rng: random.Random, plan: CasePlan) -> list[str]:
    factors = []
    if plan.met_via == "media-sosial":
        factors.append("pengaruh-media-sosial")
    if plan.relationship in {"orang-tua", "keluarga-saudara"} and rng.random() < 0.5:
        factors.append("pola-asuh")
    if plan.relationship == "suami-istri":
        factors.append(rng.choice(["perselingkuhan", "cemburu", "budaya"]))
    if rng.random() < 0.1:
        factors.append("miras-narkoba")
    return factors


def _reporter_role(rng: random.Random, age: str) -> str:
    if age in {"0-5", "6-12"}:
        return rng.choices(["family", "professional", "witness"], [70, 20, 10])[0]
    if age == "13-17":
        return rng.choices(["family", "victim", "professional", "witness"], [55, 20, 15, 10])[0]
    return rng.choices(["victim", "family", "witness"], [75, 15, 10])[0]


def _status(rng: random.Random, reported: dt.datetime, horizon: dt.datetime) -> str:
    days = (horizon - reported).days
    if days > 300:
        return rng.choices(["closed", "monitoring"], [90, 10])[0]
    if days > 120:
        return rng.choices(["closed", "monitoring", "in_service"], [55, 25, 20])[0]
    if days > 45:
        return rng.choices(["in_service", "planning", "monitoring", "closed"], [45, 20, 20, 15])[0]
    return rng.choices(["new", "assessment", "planning", "in_service"], [30, 35, 20, 15])[0]


def _risk(rng: random.Random, plan: CasePlan) -> str:
    high = 45 if ("seksual" in plan.forms and plan.victim_age in CHILD_AGE_GROUPS) else 20
    if plan.relationship in {"orang-tua", "suami-istri"}:
        high += 15
    return rng.choices(["high", "medium", "low"], [high, 40, max(5, 60 - high)])[0]


def plan_cases(
    rng: random.Random,
    *,
    year: int,
    dates: list[dt.datetime],
    kelurahan_by_kecamatan: dict[str, list[str]],
    horizon: dt.datetime,
    tables: dict[str, dict[Any, int]],
    economic: int,
    repeat_pairs: int,
    repeat_base: int = 0,
) -> list[CasePlan]:
    """Plan one batch of cases for one year; ``dates`` are sorted reported_at values, one per case."""
    n = len(dates)
    kecamatan = _deck(rng, tables["kecamatan"], n)
    plans = [CasePlan(year=year, reported_at=d, kecamatan=k) for d, k in zip(dates, kecamatan, strict=True)]
    for plan in plans:
        plan.kelurahan = rng.choice(kelurahan_by_kecamatan[plan.kecamatan])
    for plan, (age, sex) in zip(plans, _deck(rng, tables["victims"], n), strict=True):
        plan.victim_age, plan.victim_sex = age, sex
    rel = _constrained_assign(
        rng, plans, _deck(rng, tables["relationships"], n),
        lambda item: RELATIONSHIP_AGES.get(item[0]), lambda p: p.victim_age,
    )
    for plan, (relationship, met_via) in zip(plans, rel, strict=True):
        plan.relationship, plan.met_via = relationship, met_via
    forms = _constrained_assign(
        rng, plans, _deck(rng, tables["forms"], n),
        lambda item: next((FORM_RELATIONSHIPS[f] for f in item if f in FORM_RELATIONSHIPS), None),
        lambda p: p.relationship,
    )
    for plan, form_set in zip(plans, forms, strict=True):
        plan.forms = tuple(sorted(form_set))
    social = [p for p in plans if p.met_via == "media-sosial"]
    for plan, platform in zip(social, _deck(rng, tables["platforms"], len(social)), strict=True):
        plan.platform = platform
    economic_flags = [True] * economic + [False] * (n - economic)
    rng.shuffle(economic_flags)
    for plan, eco, channel in zip(plans, economic_flags, _deck(rng, tables["channels"], n), strict=True):
        plan.channel = channel
        plan.tpks = _tpks_forms(rng, plan)
        plan.place = _place(rng, plan)
        factors = (["ekonomi"] if eco else []) + _other_factors(rng, plan)
        plan.factors = tuple(factors or ["lainnya"])
        plan.reporter_role = _reporter_role(rng, plan.victim_age)
        plan.status = _status(rng, plan.reported_at, horizon)
        plan.risk = _risk(rng, plan)
        plan.emergency = plan.risk == "high" and rng.random() < 0.25
        plan.occurred_on = (plan.reported_at - dt.timedelta(days=rng.choice([0, 1, 2, 3, 7, 14, 30, 60]))).date()
    # Repeat perpetrators: pairs of cases that met on the same handle-based platform.
    by_platform: dict[str, list[CasePlan]] = defaultdict(list)
    for plan in social:
        if plan.platform in HANDLE_PLATFORMS and plan.relationship == "kenalan-daring":
            by_platform[plan.platform].append(plan)
    pairs = 0
    for platform in sorted(by_platform):
        group = by_platform[platform]
        rng.shuffle(group)
        while len(group) >= 2 and pairs < repeat_pairs:
            a, b = group.pop(), group.pop()
            a.repeat_key = b.repeat_key = repeat_base + pairs
            pairs += 1
    return plans


def _month_dates(rng: random.Random, year: int, counts: Iterable[int]) -> list[dt.datetime]:
    dates = []
    for month, count in enumerate(counts, start=1):
        last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        for _ in range(count):
            dates.append(dt.datetime(year, month, rng.randint(1, last_day), rng.randint(7, 21), rng.randint(0, 59),
                                     rng.randint(0, 59), tzinfo=JAKARTA))
    return sorted(dates)


def _year_tables(year: int | None) -> dict[str, dict[Any, int]]:
    if year is not None:
        return {"kecamatan": KECAMATAN[year], "victims": VICTIMS[year], "relationships": RELATIONSHIPS[year],
                "forms": FORMS[year], "platforms": PLATFORMS[year], "channels": CHANNELS[year]}
    return {"kecamatan": _combined(KECAMATAN), "victims": _combined(VICTIMS),
            "relationships": _combined(RELATIONSHIPS), "forms": _combined(FORMS),
            "platforms": _combined(PLATFORMS), "channels": _combined(CHANNELS)}


def article_plans(rng: random.Random, kelurahan_by_kecamatan: dict[str, list[str]]) -> list[CasePlan]:
    """The article picture: 60 cases in 2024, 64 in January-October 2025 (exact tables above)."""
    horizon = ARTICLE_HORIZON
    plans: list[CasePlan] = []
    for i, (year, _n) in enumerate(sorted(ARTICLE_YEARS.items())):
        repeat = REPEAT_PERPETRATORS // 2 + (REPEAT_PERPETRATORS % 2 if i else 0)
        plans += plan_cases(rng, year=year, dates=_month_dates(rng, year, MONTHLY[year]),
                            kelurahan_by_kecamatan=kelurahan_by_kecamatan, horizon=horizon,
                            tables=_year_tables(year), economic=ECONOMIC[year], repeat_pairs=repeat,
                            repeat_base=i * 1000)
    return plans


def scaled_batches(
    rng: random.Random, total: int, kelurahan_by_kecamatan: dict[str, list[str]], batch_size: int = BATCH_SIZE,
) -> Iterator[list[CasePlan]]:
    """Yield batches of planned cases, ``total`` in all, spread over :data:`SCALED_YEAR_WEIGHTS`."""
    per_year = scale_table(SCALED_YEAR_WEIGHTS, total)
    tables = _year_tables(None)
    eco_share = sum(ECONOMIC.values()) / sum(ARTICLE_YEARS.values())
    horizon = SCALED_HORIZON
    key = 0
    for year, n_year in per_year.items():
        start = dt.datetime(year, 1, 1, 7, 0, tzinfo=JAKARTA)
        span = (dt.datetime(year, 12, 31, 21, 0, tzinfo=JAKARTA) - start).total_seconds()
        for offset in range(0, n_year, batch_size):
            n = min(batch_size, n_year - offset)
            dates = [start + dt.timedelta(seconds=int((offset + j + rng.random()) * span / n_year)) for j in range(n)]
            # keep local hours 07-21 so the year is the same in UTC and Asia/Jakarta
            dates = [d if 7 <= d.hour <= 21 else d.replace(hour=7 + d.hour % 15) for d in dates]
            dates.sort()
            repeat = int(n * SCALED_REPEAT_SHARE / 2)
            plans = plan_cases(rng, year=year, dates=dates, kelurahan_by_kecamatan=kelurahan_by_kecamatan,
                               horizon=horizon, tables=tables, economic=round(n * eco_share), repeat_pairs=repeat,
                               repeat_base=key)
            key += repeat
            yield plans


# --- writing ----------------------------------------------------------------------------------

_NARRATIVE = {
    "seksual": "mengalami kekerasan seksual",
    "fisik": "mengalami kekerasan fisik (dipukul)",
    "psikis": "mengalami tekanan psikis, diancam dan dihina",
    "penelantaran": "ditelantarkan dan tidak diberi nafkah",
    "eksploitasi": "dipaksa bekerja dan hasilnya diambil",
    "trafficking": "dibawa ke luar kota dengan janji pekerjaan",
}
_RELATION_TEXT = {
    "orang-tua": "orang tuanya", "keluarga-saudara": "kerabatnya", "suami-istri": "suaminya",
    "pacar-teman": "pacar/temannya", "kenalan-daring": "orang yang dikenal lewat media sosial",
    "guru": "gurunya", "tetangga": "tetangganya", "majikan": "majikannya", "rekan-kerja": "rekan kerjanya",
    "lainnya": "seseorang yang dikenalnya", "tidak-diketahui": "orang yang tidak dikenal",
}
_CLOSURE = ("Layanan selesai; korban sudah pulih dan kembali beraktivitas.",
            "Korban dan keluarga memilih mengakhiri layanan setelah mediasi.",
            "Perkara sudah diputus pengadilan; pemulihan korban selesai.",
            "Korban pindah domisili; kasus dirujuk ke UPTD PPA setempat.")


@dataclass
class Context:
    lead: Any
    managers: list[Any]
    intake: Any
    codes: dict[tuple[str, str], int]
    kelurahan_names: dict[str, str]
    report_seq: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    # casework history (demo/casework.py): its own random stream, so the rest of the data stays as it was
    orgs: dict[str, Any] = field(default_factory=dict)
    partners: dict[str, Any] = field(default_factory=dict)
    horizon: dt.datetime = ARTICLE_HORIZON
    casework_rng: random.Random = field(default_factory=lambda: random.Random(CASEWORK_SEED))  # noqa: S311


def _person(rng: random.Random, ctx: Context, *, sex: str, age: str, kelurahan: str, when: dt.datetime,
            with_nik: bool, with_phone: bool) -> tuple[Any, dict[str, str]]:
    birth = fake_birth(rng, age, when.date())
    name = fake_name(rng, sex)
    extra: dict[str, str] = {"name": name}
    person = new(Person, full_name=name, sex=sex, kelurahan_id=kelurahan, created_at=when, birth_date=birth.isoformat(),
                    address=fake_address(rng, ctx.kelurahan_names.get(kelurahan, "")))
    if rng.random() < 0.3:
        person.alias = name.split()[0]
    if with_nik:
        person.nik = fake_nik(rng, kelurahan[:8], birth, sex)
        person.nik_index = identifier_index("nik", person.nik)
    if with_phone:
        written, e164 = fake_phone(rng)
        person.phone = written
        person.phone_index = identifier_index("phone", e164)
        extra["phone"], extra["e164"] = written, e164
    years = int(age.split("-")[0].rstrip("+"))
    if years < 6:
        person.education, person.occupation, person.marital_status = "tk-paud", "", "belum-kawin"
    elif years < 13:
        person.education, person.occupation, person.marital_status = "sd", "pelajar-mahasiswa", "belum-kawin"
    elif years < 18:
        person.education = rng.choice(["sltp", "slta"])
        person.occupation, person.marital_status = "pelajar-mahasiswa", "belum-kawin"
    elif years < 25:
        person.education = rng.choice(["slta", "slta", "perguruan-tinggi", "sltp"])
        person.occupation = rng.choice(["pelajar-mahasiswa", "pegawai-swasta-buruh", "tidak-bekerja"])
        person.marital_status = rng.choice(["belum-kawin", "belum-kawin", "kawin"])
    else:
        person.education = rng.choice(["sd", "sltp", "slta", "slta", "perguruan-tinggi"])
        person.occupation = rng.choice(
            ["ibu-rumah-tangga", "pegawai-swasta-buruh", "wiraswasta", "pedagang-petani-nelayan", "tidak-bekerja"]
            if sex == "female" else
            ["pegawai-swasta-buruh", "wiraswasta", "pedagang-petani-nelayan", "pns-tni-polri", "tidak-bekerja"])
        person.marital_status = rng.choices(["kawin", "cerai-hidup", "cerai-mati", "belum-kawin"], [70, 15, 5, 10])[0]
    person.disability = "tidak" if rng.random() < 0.95 else rng.choice(["fisik", "intelektual", "sensorik", "mental"])
    return person, extra


def _perpetrator_age(rng: random.Random, plan: CasePlan) -> str:
    if plan.relationship == "pacar-teman" and plan.victim_age == "13-17":
        return rng.choice(["13-17", "18-24", "18-24"])
    if plan.relationship in {"orang-tua", "guru", "majikan"}:
        return rng.choice(["25-44", "25-44", "45-59"])
    return rng.choice(["18-24", "25-44", "25-44", "45-59"])


def _allocate(plans: list[CasePlan]) -> dict[int, list[tuple[int, str]]]:
    return {year: case_numbers_allocate(year=year, count=count)
            for year, count in sorted(Counter(p.year for p in plans).items())}


def write_batch(rng: random.Random, ctx: Context, plans: list[CasePlan], *, not_violence: int = 0,
                numbers: dict[int, list[tuple[int, str]]] | None = None) -> None:
    """Write planned cases with their persons, incidents and reports in one transaction.

    ``numbers``: case numbers reserved beforehand (parallel writers; otherwise reserved here)."""
    with transaction.atomic(), load_session(connections["default"]):  # PostgreSQL: may defer the FK checks
        if numbers is None:
            numbers = _allocate(plans)
        persons: list[Any] = []
        person_rows: list[dict[str, Any]] = []  # per plan: victim/perpetrator/reporter indexes into persons
        repeat_index: dict[int, tuple[int, dict[str, str]]] = {}
        for plan in plans:
            row: dict[str, Any] = {}
            child = plan.victim_age in CHILD_AGE_GROUPS
            victim, vinfo = _person(rng, ctx, sex=plan.victim_sex, age=plan.victim_age, kelurahan=plan.kelurahan,
                                    when=plan.reported_at, with_nik=rng.random() < 0.85,
                                    with_phone=plan.victim_age not in {"0-5", "6-12"})
            row["victim"], row["vinfo"] = len(persons), vinfo
            persons.append(victim)
            if plan.relationship == "tidak-diketahui":
                row["perpetrator"] = None
            elif plan.repeat_key is not None and plan.repeat_key in repeat_index:
                row["perpetrator"], row["pinfo"] = repeat_index[plan.repeat_key]
            else:
                page = _perpetrator_age(rng, plan)
                psex = "female" if (plan.relationship == "orang-tua" and rng.random() < 0.3) else (
                    "male" if rng.random() < 0.95 else "female")
                perp, pinfo = _person(rng, ctx, sex=psex, age=page, kelurahan=rng.choice([plan.kelurahan,
                                      rng.choice(list(ctx.kelurahan_names))]), when=plan.reported_at,
                                      with_nik=rng.random() < 0.5, with_phone=rng.random() < 0.6)
                pinfo["age"] = page
                if plan.platform in HANDLE_PLATFORMS:
                    pinfo["handle"] = fake_handle(rng, pinfo["name"])
                row["perpetrator"], row["pinfo"] = len(persons), pinfo
                persons.append(perp)
                if plan.repeat_key is not None:
                    repeat_index[plan.repeat_key] = (len(persons) - 1, pinfo)
            if plan.reporter_role != "victim":
                rsex = rng.choice(["female", "female", "male"])
                reporter, rinfo = _person(rng, ctx, sex=rsex, age=rng.choice(["25-44", "45-59"]),
                                          kelurahan=plan.kelurahan, when=plan.reported_at, with_nik=False,
                                          with_phone=True)
                row["reporter"], row["rinfo"] = len(persons), rinfo
                persons.append(reporter)
            else:
                row["reporter"], row["rinfo"] = row["victim"], vinfo
            row["child"] = child
            person_rows.append(row)
        bulk_insert(Person, persons)

        cases = []
        seq_iter = {year: iter(values) for year, values in numbers.items()}
        for plan, row in zip(plans, person_rows, strict=True):
            sequence, number = next(seq_iter[plan.year])
            opened = plan.reported_at + dt.timedelta(hours=rng.randint(1, 48))
            closed = None
            if plan.status == "closed":
                closed = opened + dt.timedelta(days=rng.randint(14, 150))
            forms_text = ", ".join(_NARRATIVE.get(f, f) for f in plan.forms)
            police_consent, police_reported = casework.police_plan(
                ctx.casework_rng, sexual=sla.is_sexual_violence(plan.forms, plan.tpks), opened=opened,
                reported=plan.reported_at, horizon=ctx.horizon)
            cases.append(new(Case,
                number=number, year=plan.year, sequence=sequence, organisation=ctx.lead,
                case_manager=ctx.managers[sequence % len(ctx.managers)], status=plan.status, risk_level=plan.risk,
                is_emergency=plan.emergency, reported_at=plan.reported_at, opened_at=opened, closed_at=closed,
                closure_reason=rng.choice(_CLOSURE) if closed else "", kelurahan_id=plan.kelurahan,
                channel=plan.channel, created_by=ctx.intake, police_report_consent=police_consent,
                police_reported_at=police_reported,
                summary=f"Korban {row['vinfo']['name']} ({plan.victim_age} tahun) {forms_text}; "
                        f"terlapor {_RELATION_TEXT.get(plan.relationship, 'tidak diketahui')}.",
            ))
        bulk_insert(Case, cases)

        links = []
        pidents = []
        victims = []
        for plan, row, case in zip(plans, person_rows, cases, strict=True):
            victim = persons[row["victim"]]
            victims.append(new(CasePerson, case=case, person=victim, role="victim", age_group=plan.victim_age,
                                      is_child=row["child"]))
            links.append(victims[-1])
            if row["perpetrator"] is not None:
                perp = persons[row["perpetrator"]]
                page = row["pinfo"]["age"]
                links.append(new(CasePerson, case=case, person=perp, role="perpetrator", age_group=page,
                                        is_child=page in CHILD_AGE_GROUPS))
                if "handle" in row["pinfo"] and not row["pinfo"].get("ident_written"):
                    pidents.append(new(PersonIdentifier, person=perp, kind=plan.platform, value=row["pinfo"]["handle"],
                                                    value_index=identifier_index(plan.platform, row["pinfo"]["handle"])))
                    row["pinfo"]["ident_written"] = "1"
            reporter = persons[row["reporter"]]
            links.append(new(CasePerson, case=case, person=reporter, role="reporter",
                                    age_group=plan.victim_age if reporter is victim else "25-44",
                                    is_child=row["child"] if reporter is victim else False))
        bulk_insert(CasePerson, links)
        bulk_insert(PersonIdentifier, pidents)

        incidents = []
        for plan, row, case in zip(plans, person_rows, cases, strict=True):
            incidents.append(new(Incident,
                case=case, occurred_on=plan.occurred_on, place=plan.place, kelurahan_id=plan.kelurahan,
                relationship=plan.relationship, met_via=plan.met_via, met_via_platform=plan.platform,
                description=f"{row['vinfo']['name']} {', '.join(_NARRATIVE.get(f, f) for f in plan.forms)} oleh "
                            f"{_RELATION_TEXT.get(plan.relationship, 'seseorang')}.",
            ))
        bulk_insert(Incident, incidents)
        through_rows: dict[str, list[Any]] = {"violence_forms": [], "tpks_forms": [], "factors": []}
        for plan, incident in zip(plans, incidents, strict=True):
            for attr, list_name, slugs in (("violence_forms", "violence_form", plan.forms),
                                           ("tpks_forms", "tpks_form", plan.tpks),
                                           ("factors", "factor", plan.factors)):
                through = getattr(Incident, attr).through
                for slug in slugs:
                    through_rows[attr].append(new(through, incident_id=incident.pk, code_id=ctx.codes[(list_name, slug)]))
        for attr, rows in through_rows.items():
            bulk_insert(getattr(Incident, attr).through, rows)

        reports = []
        ridents = []
        for plan, row, case in zip(plans, person_rows, cases, strict=True):
            ctx.report_seq += 1
            rinfo = row["rinfo"]
            report = new(Report,
                reference=f"DEMO-{ctx.report_seq:08d}", channel=plan.channel,
                received_at=plan.reported_at, status="case_opened", is_emergency=plan.emergency,
                risk_level=plan.risk, reporter_role=plan.reporter_role, in_danger_now=plan.emergency,
                narrative=f"Saya melaporkan bahwa {row['vinfo']['name']} "
                          f"{', '.join(_NARRATIVE.get(f, f) for f in plan.forms)} oleh "
                          f"{_RELATION_TEXT.get(plan.relationship, 'seseorang')}. Mohon bantuan pendampingan.",
                violence_forms=list(plan.forms), tpks_forms=list(plan.tpks), victim_sex=plan.victim_sex,
                victim_age_group=plan.victim_age, victim_is_child=row["child"], kelurahan_id=plan.kelurahan,
                incident_date=plan.occurred_on, place=plan.place, relationship=plan.relationship,
                met_via=plan.met_via, met_via_platform=plan.platform, contact_name=rinfo["name"],
                preferred_channel=rng.choice(["whatsapp", "phone", "whatsapp", "sms"]) if "phone" in rinfo else "none",
                safe_time=rng.choice(["", "Sore hari setelah pukul 16.00", "Pagi hari", "Kapan saja"]),
                consent_contact="phone" in rinfo, consent_share=rng.random() < 0.8, created_by=ctx.intake, case=case,
            )
            if "phone" in rinfo:
                report.contact_phone = rinfo["phone"]
                report.contact_phone_index = identifier_index("phone", rinfo["e164"])
            reports.append(report)
            pinfo = row.get("pinfo") or {}
            if "handle" in pinfo:
                ridents.append((report, plan.platform, pinfo["handle"]))
        for _ in range(not_violence):
            ctx.report_seq += 1
            reports.append(_report_without_case(rng, ctx, "not_violence", rng.choice(plans).reported_at))
        bulk_insert(Report, reports)
        bulk_insert(ReportIdentifier,
                    [new(ReportIdentifier, report=r, kind=kind, value=handle, value_index=identifier_index(kind, handle))
                     for r, kind, handle in ridents])
        history = casework.history_rows(
            ctx.casework_rng, cases=cases, reports=reports[:len(cases)], victims=victims,
            forms=[plan.forms for plan in plans], orgs=ctx.orgs, partners=ctx.partners, horizon=ctx.horizon)
        bulk_insert(Deadline, history.deadlines)
        bulk_insert(Consent, history.consents)
        for referral in history.referrals:
            referral.consent_id = referral.consent.pk  # given before the consent had its key
        bulk_insert(Referral, history.referrals)
        for delivery in history.deliveries:
            delivery.referral_id = delivery.referral.pk
        bulk_insert(ServiceDelivery, history.deliveries)
        ctx.counts.update(cases=len(cases), persons=len(persons), reports=len(reports), incidents=len(incidents),
                          deadlines=len(history.deadlines), referrals=len(history.referrals))


# Every model write_batch loads (check_references after a load without per-row foreign-key triggers).
LOADED_MODELS = [Person, Case, CasePerson, PersonIdentifier, Incident, Incident.violence_forms.through,
                 Incident.tpks_forms.through, Incident.factors.through, Report, ReportIdentifier, Deadline, Consent,
                 Referral, ServiceDelivery]


def _report_without_case(rng: random.Random, ctx: Context, status: str, when: dt.datetime) -> Any:
    age = rng.choice(["6-12", "13-17", "25-44"])
    sex = rng.choice(["female", "female", "male"])
    name = fake_name(rng, "female")
    written, e164 = fake_phone(rng)
    reasons = {"not_violence": "Sengketa utang-piutang antar-tetangga; bukan kasus kekerasan. Diarahkan ke kelurahan."}
    form = rng.choice(["seksual", "seksual", "fisik", "psikis"])
    return new(Report,
        reference=f"DEMO-{ctx.report_seq:08d}", channel=rng.choice(["web", "whatsapp", "phone", "walk_in"]),
        received_at=when, status=status, status_reason=reasons.get(status, ""),
        reporter_role=rng.choice(["victim", "family", "witness"]), in_danger_now=False,
        narrative=f"Saya {name} ingin melaporkan kejadian yang dialami {rng.choice(['adik', 'anak', 'tetangga'])} "
                  f"saya. {_NARRATIVE[form].capitalize()}. Mohon ditindaklanjuti.",
        violence_forms=[form], victim_sex=sex, victim_age_group=age, victim_is_child=age in CHILD_AGE_GROUPS,
        kelurahan_id=rng.choice(list(ctx.kelurahan_names)), contact_name=name, contact_phone=written,
        contact_phone_index=identifier_index("phone", e164), preferred_channel="whatsapp",
        consent_contact=True, consent_share=False, risk_level=rng.choice(["", "medium", "low"]),
    )


def _context() -> tuple[Context, dict[str, list[str]]]:
    home = settings.HOME_REGION_CODE
    villages = list(Region.objects.filter(level=4, code__startswith=home + ".").order_by("code")
                    .values_list("code", "name"))
    by_kecamatan: dict[str, list[str]] = defaultdict(list)
    for code, _name in villages:
        by_kecamatan[code[:8]].append(code)
    missing = set(_combined(KECAMATAN)) - set(by_kecamatan)
    if missing:
        raise DemoError(
            f"wilayah Kota Serang belum dimuat (kecamatan {', '.join(sorted(missing))}); "
            "jalankan `salingsapa migrate` dan `salingsapa load-reference`")
    codes = {(c.list, c.slug): c.pk for c in Code.objects.all()}
    if ("violence_form", "seksual") not in codes:
        raise DemoError("daftar kode belum dimuat; jalankan `salingsapa load-reference`")
    orgs = organisations_ensure()
    users = demo_users_ensure(orgs)
    ctx = Context(lead=orgs["uptd"], managers=[users["manajer1"], users["manajer2"]], intake=users["petugas"],
                  codes=codes, kelurahan_names=dict(villages), orgs=orgs,
                  partners={"psychology": users["psikolog"], "legal": users["advokat"], "rsud": users["nakes"],
                            "police": users["polisi"]})
    return ctx, dict(by_kecamatan)


class DemoError(Exception):
    """Demo data cannot be created (message in Bahasa Indonesia)."""


def _batch_rng(seed: int, batch_no: int) -> random.Random:
    """The writer's random stream of one scaled batch: the same data whatever the number of workers."""
    return random.Random(f"{seed}:{batch_no}")  # noqa: S311 -- reproducible fake data, not security


def _casework_rng(batch_no: int) -> random.Random:
    """The casework history's stream of one scaled batch (as :func:`_batch_rng`: the same for any workers)."""
    return random.Random(f"{CASEWORK_SEED}:{batch_no}")  # noqa: S311 -- reproducible fake data, not security


_worker_ctx: Context | None = None


def _worker_init(ctx: Context) -> None:
    global _worker_ctx
    _worker_ctx = ctx
    connections.close_all()  # the forked parent's connection is not ours to use


def _worker_write(seed: int, batch_no: int, plans: list[CasePlan], numbers: dict[int, list[tuple[int, str]]],
                  report_seq: int, not_violence: int) -> Counter[str]:
    ctx = _worker_ctx
    assert ctx is not None
    ctx.report_seq, ctx.counts, ctx.casework_rng = report_seq, Counter(), _casework_rng(batch_no)
    write_batch(_batch_rng(seed, batch_no), ctx, plans, not_violence=not_violence, numbers=numbers)
    return ctx.counts


def _seed_scaled(rng: random.Random, ctx: Context, by_kecamatan: dict[str, list[str]], *, cases: int, seed: int,
                 batch_size: int, workers: int, progress: Callable[[int], None] | None) -> None:
    """Plan batches here; write them here (one worker) or in ``workers`` processes (PostgreSQL).

    The planner reserves each batch's case numbers and report references before handing it out, so
    writers never wait for each other; at most two batches per worker are planned ahead (memory stays flat)."""
    batches = enumerate(scaled_batches(rng, cases, by_kecamatan, batch_size))
    if workers <= 1:
        for batch_no, plans in batches:
            ctx.casework_rng = _casework_rng(batch_no)
            write_batch(_batch_rng(seed, batch_no), ctx, plans, not_violence=int(len(plans) * SCALED_NOT_VIOLENCE_SHARE))
            if progress:
                progress(len(plans))
        return
    connections.close_all()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_worker_init, initargs=(ctx,)) as pool:
        pending: dict[Future[Counter[str]], int] = {}
        for batch_no, plans in batches:
            not_violence = int(len(plans) * SCALED_NOT_VIOLENCE_SHARE)
            numbers = _allocate(plans)
            connections.close_all()  # a worker may be forked on submit: it must not inherit our connection
            pending[pool.submit(_worker_write, seed, batch_no, plans, numbers, ctx.report_seq, not_violence)] = len(plans)
            ctx.report_seq += len(plans) + not_violence
            while len(pending) >= 2 * workers:
                _collect(pending, ctx, progress, FIRST_COMPLETED)
        while pending:
            _collect(pending, ctx, progress, FIRST_COMPLETED)


def _collect(pending: dict[Future[Counter[str]], int], ctx: Context, progress: Callable[[int], None] | None,
             how: str) -> None:
    done, _rest = wait(list(pending), return_when=how)
    for future in done:
        n = pending.pop(future)
        ctx.counts.update(future.result())  # a writer's error surfaces here
        if progress:
            progress(n)


@dataclass
class SeedResult:
    cases: int
    reports: int
    persons: int
    seconds: float


def seed_demo(*, cases: int | None = None, seed: int = DEFAULT_SEED, batch_size: int = BATCH_SIZE,
              progress: Callable[[int], None] | None = None, workers: int = 1) -> SeedResult:
    """Create the demo data: the article picture (``cases=None``) or ``cases`` scaled cases.

    ``workers`` > 1 writes scaled batches in that many processes (PostgreSQL only; SQLite has one writer)."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 -- reproducible fake data, not security
    with transaction.atomic():
        ctx, by_kecamatan = _context()
        ctx.report_seq = Report.objects.count()
        ctx.horizon = ARTICLE_HORIZON if cases is None else SCALED_HORIZON
    if cases is None:
        plans = article_plans(rng, by_kecamatan)
        write_batch(rng, ctx, plans)
        if progress:
            progress(len(plans))
        with transaction.atomic():
            extras = []
            now = timezone.now()
            for status, count in EXTRA_REPORTS.items():
                for _ in range(count):
                    ctx.report_seq += 1
                    if status == "not_violence":
                        when = dt.datetime(2025, 10, rng.randint(1, 28), rng.randint(8, 16), tzinfo=JAKARTA)
                    else:
                        when = now - dt.timedelta(minutes=rng.randint(10, 48 * 60))
                    extras.append(_report_without_case(rng, ctx, status, when))
            Report.objects.bulk_create(extras)
            ctx.counts.update(reports=len(extras))
            users = {u.username: u for u in User.objects.filter(username__in=["psikolog"])}
            live = casework.live_casework(orgs=ctx.orgs, users=users)
            ctx.counts.update(deadlines=live["clocks"], referrals=live["referrals"])
    else:
        _seed_scaled(rng, ctx, by_kecamatan, cases=cases, seed=seed, batch_size=batch_size,
                     workers=workers if connections["default"].vendor == "postgresql" else 1, progress=progress)
    if connections["default"].vendor == "postgresql" and bulk.DEFER_REFERENCE_CHECKS:
        check_references(LOADED_MODELS)  # the writers skipped the per-row foreign-key triggers (bulk.load_session)
    result = SeedResult(cases=ctx.counts["cases"], reports=ctx.counts["reports"], persons=ctx.counts["persons"],
                        seconds=time.perf_counter() - started)
    audit_log(actor=ACTOR, action="create", object_type="demo_data", object_id="",
              detail={"seed": seed, "mode": "article" if cases is None else "scaled", "cases": result.cases,
                      "reports": result.reports, "persons": result.persons, "incidents": ctx.counts["incidents"]})
    return result
