"""SLA clock arithmetic (pure functions; the Deadline rows are written by ``cases.services``).

Defaults (configurable in settings): high risk → first contact within 1 hour, medium → 6 hours,
low → 3 working days (weekends, Indonesian public holidays and, by default, cuti bersama
excluded); UU TPKS Pasal 41 → report passed to the police within 3 × 24 hours of the victim's report.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import lokal
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

log = logging.getLogger(__name__)

SEXUAL_VIOLENCE_FORM = "seksual"
_warned_years: set[int] = set()


def is_working_day(day: dt.date) -> bool:
    """A weekday that is not a public holiday (nor cuti bersama, unless configured otherwise).

    For a year whose holiday decree ``lokal-id`` does not know yet, only weekends count as days off.
    """
    try:
        return bool(lokal.is_working_day(day, cuti_bersama=settings.SLA_COUNT_CUTI_BERSAMA))
    except ValueError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no public-holiday data for %s in lokal-id; counting weekends only", day.year)
        return day.weekday() < 5


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day`` (the same as ``lokal.add_working_days``, with a fallback)."""
    try:
        result = lokal.add_working_days(day, count, cuti_bersama=settings.SLA_COUNT_CUTI_BERSAMA)
        return result if isinstance(result, dt.date) else dt.date.fromisoformat(str(result))
    except ValueError:
        current, left = day, count
        while left > 0:
            current += dt.timedelta(days=1)
            if is_working_day(current):
                left -= 1
        return current


def effective_risk(risk_level: str, *, emergency: bool = False) -> str:
    if emergency:
        return "high"
    return risk_level if risk_level in {"high", "medium", "low"} else settings.SLA_UNTRIAGED_RISK


def first_contact_due(*, start: dt.datetime, risk_level: str, emergency: bool = False) -> dt.datetime:
    risk = effective_risk(risk_level, emergency=emergency)
    if risk == "high":
        return start + dt.timedelta(minutes=settings.SLA_FIRST_CONTACT_HIGH_MINUTES)
    if risk == "medium":
        return start + dt.timedelta(minutes=settings.SLA_FIRST_CONTACT_MEDIUM_MINUTES)
    local = timezone.localtime(start)
    day = add_working_days(local.date(), settings.SLA_FIRST_CONTACT_LOW_WORKING_DAYS)
    return dt.datetime.combine(day, local.timetz())


def tpks_police_due(*, reported_at: dt.datetime) -> dt.datetime:
    return reported_at + dt.timedelta(hours=settings.SLA_TPKS_POLICE_HOURS)


def is_sexual_violence(violence_forms: Iterable[str], tpks_forms: Iterable[str] = ()) -> bool:
    return SEXUAL_VIOLENCE_FORM in set(violence_forms) or any(True for _ in tpks_forms)


def clock_label(due_at: dt.datetime, *, met_at: dt.datetime | None = None, now: dt.datetime | None = None) -> str:
    """A short description of a clock in the active language: "sisa 45 menit", "terlambat 2 jam", "terpenuhi"."""
    if met_at is not None:
        return gettext("terpenuhi") if met_at <= due_at else gettext("terpenuhi (terlambat)")
    now = now or timezone.now()
    delta = due_at - now
    late = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    if seconds < 3600:
        text = gettext("%(minutes)d menit") % {"minutes": max(1, seconds // 60)}
    elif seconds < 48 * 3600:
        text = gettext("%(hours)d jam %(minutes)d menit") % {"hours": seconds // 3600, "minutes": seconds % 3600 // 60}
    else:
        text = gettext("%(days)d hari %(hours)d jam") % {"days": seconds // 86400, "hours": seconds % 86400 // 3600}
    return (gettext("terlambat %(time)s") if late else gettext("sisa %(time)s")) % {"time": text}
