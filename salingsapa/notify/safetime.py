"""The reporter's safe time to be contacted, as hours of the local day.

The report form keeps ``safe_time`` as free text ("pagi", "jam 9-12", "setelah jam 7 malam").
``safe_hours`` reads the common ways of writing it into ``(start, end)`` whole hours, local time,
``end`` exclusive (``(19, 22)`` = 19:00 to 21:59). Text it cannot read gives ``UNREADABLE``,
which the queue treats as office hours only — never "any time".
"""

from __future__ import annotations

import datetime as dt
import re

OFFICE_HOURS = (8, 16)
UNREADABLE = OFFICE_HOURS

_WORDS = {
    "pagi": (6, 11),
    "siang": (11, 15),
    "sore": (15, 18),
    "malam": (18, 22),
    "morning": (6, 11),
    "afternoon": (12, 18),
    "evening": (18, 22),
    "night": (18, 22),
    "jam kerja": OFFICE_HOURS,
    "jam kantor": OFFICE_HOURS,
    "kapan saja": (0, 24),
    "kapan pun": (0, 24),
    "anytime": (0, 24),
    "any time": (0, 24),
}
_RANGE = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?\s*(?:-|–|—|s/?d|sampai|hingga|to)\s*(\d{1,2})(?:[.:](\d{2}))?")
_AFTER = re.compile(r"(?:setelah|sesudah|lewat|after|di ?atas)\s+(?:jam|pukul)?\s*(\d{1,2})")
_BEFORE = re.compile(r"(?:sebelum|before)\s+(?:jam|pukul)?\s*(\d{1,2})")


def _pm(hour: int, text: str) -> int:
    if hour < 12 and re.search(r"\b(malam|sore|pm|evening|night)\b", text):
        return hour + 12
    return hour


def safe_hours(text: str) -> tuple[int, int] | None:
    """``None`` when no safe time was given (any time); else the window (possibly ``UNREADABLE``)."""
    raw = (text or "").strip().lower()
    if not raw:
        return None
    match = _RANGE.search(raw)
    if match:
        start, end = int(match.group(1)), int(match.group(3))
        start, end = _pm(start, raw), _pm(end, raw)
        if match.group(4) and match.group(4) != "00":
            end += 1
        if 0 <= start < end <= 24:
            return start, end
        return UNREADABLE
    after, before = _AFTER.search(raw), _BEFORE.search(raw)
    if after or before:
        start = _pm(int(after.group(1)), raw) if after else 6
        end = _pm(int(before.group(1)), raw) if before else 22
        return (start, end) if 0 <= start < end <= 24 else UNREADABLE
    for word, window in _WORDS.items():
        if word in raw:
            return window
    return UNREADABLE


def next_in_window(now_local: dt.datetime, window: tuple[int, int] | None) -> dt.datetime:
    """``now_local`` if it lies in the window, else the window's next start (aware, local time)."""
    if window is None:
        return now_local
    start, end = window
    if start <= now_local.hour < end:
        return now_local
    day = now_local if now_local.hour < start else now_local + dt.timedelta(days=1)
    return day.replace(hour=start, minute=0, second=0, microsecond=0)
