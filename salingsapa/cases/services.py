"""Writes on cases. Keyword-only functions named ``<thing>_<verb>`` (see shared/DESIGN.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from salingsapa.cases.models import CaseCounter


def case_numbers_allocate(*, year: int, count: int = 1) -> list[tuple[int, str]]:
    """Reserve ``count`` consecutive case numbers for ``year``: ``[(sequence, "SRG-2025-0064"), ...]``.

    The counter row is updated before it is read, so concurrent callers queue on its lock and
    never receive the same number (on SQLite the IMMEDIATE transaction does the same).
    """
    with transaction.atomic():
        CaseCounter.objects.get_or_create(year=year)
        CaseCounter.objects.filter(year=year).update(last=F("last") + count)
        last = CaseCounter.objects.select_for_update().get(year=year).last
    first = last - count + 1
    prefix = settings.CASE_NUMBER_PREFIX
    return [(seq, f"{prefix}-{year}-{seq:04d}") for seq in range(first, last + 1)]
