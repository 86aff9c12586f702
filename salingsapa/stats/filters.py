"""The statistics filter (period, area, form, …) and the calendar helpers every statistics module
shares. ``engine`` (the figures) and ``service_stats`` (deadlines, referrals) both build on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import get_language

from salingsapa.core import codelists

JAKARTA = ZoneInfo("Asia/Jakarta")
UNKNOWN = "tidak-diketahui"  # bucket for a missing value (blank field / no kelurahan)

MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
MONTHS_ID_LONG = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]


MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_EN_LONG = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def _month_names(lang: str | None = None) -> tuple[list[str], list[str]]:
    """Short and long month names in ``lang`` (default: the active language)."""
    if (lang or get_language() or "id").startswith("en"):
        return MONTHS_EN, MONTHS_EN_LONG
    return MONTHS_ID, MONTHS_ID_LONG


class FilterError(ValueError):
    """A filter value that cannot be used (message in Bahasa Indonesia)."""


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class StatsFilter:
    """What to count. ``start``/``end`` are inclusive calendar days in Asia/Jakarta."""

    start: dt.date
    end: dt.date
    area: str = ""  # Kemendagri code of a kecamatan or kelurahan ("" = everything)
    form: str = ""  # violence_form slug
    age_group: str = ""  # victim age group slug
    organisation_id: int | None = None  # restrict to one office's cases (None = all)
    report_region: str = ""  # restrict reports to an office's area, like intake.access.reports_for ("" = all)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise FilterError("Tanggal akhir harus sesudah tanggal awal.")
        if self.form and self.form not in codelists.slugs("violence_form"):
            raise FilterError("Bentuk kekerasan tidak dikenal.")
        if self.age_group and self.age_group not in codelists.slugs("age_group"):
            raise FilterError("Kelompok umur tidak dikenal.")

    @classmethod
    def for_month(cls, year: int, month: int, **kw: Any) -> StatsFilter:
        return cls(start=dt.date(year, month, 1), end=month_end(year, month), **kw)

    @classmethod
    def for_year(cls, year: int, *, through_month: int = 12, **kw: Any) -> StatsFilter:
        return cls(start=dt.date(year, 1, 1), end=month_end(year, through_month), **kw)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00 WIB, day after end 00:00 WIB) as aware datetimes: uses the reported_at index."""
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=JAKARTA)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=JAKARTA)
        return lo, hi

    def previous_year(self) -> StatsFilter:
        """The same calendar period one year earlier (Jan–Oct 2025 → Jan–Oct 2024)."""
        return replace(self, start=_shift_year(self.start, -1), end=_shift_year(self.end, -1))

    def label(self, lang: str = "id") -> str:
        """"Jan–Okt 2025" (Bahasa Indonesia: stored in snapshots); ``lang="en"`` gives "Jan–Oct 2025"."""
        short, long = _month_names(lang)
        s, e = self.start, self.end
        if s.day == 1 and e == month_end(e.year, e.month):
            if s.year == e.year and s.month == e.month:
                return f"{long[s.month - 1]} {s.year}"
            if s.year == e.year:
                if s.month == 1 and e.month == 12:
                    return str(s.year)
                return f"{short[s.month - 1]}–{short[e.month - 1]} {s.year}"
            return f"{short[s.month - 1]} {s.year} – {short[e.month - 1]} {e.year}"
        return f"{s:%d-%m-%Y} – {e:%d-%m-%Y}"

    @property
    def display_label(self) -> str:
        """The label in the reader's language."""
        return self.label(get_language() or "id")


# --- base querysets ------------------------------------------------------------------------


def _area_q(prefix: str, area: str) -> Q:
    return Q(**{prefix: area}) | Q(**{f"{prefix}__startswith": area + "."})
