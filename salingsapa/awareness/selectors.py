"""Reads for awareness events and education articles, and the reach of events for the statistics.

Awareness data is public-class (head counts, places, topics; never who attended), so reach figures
need no small-number suppression; they are still shown only to staff until a person publishes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from salingsapa.awareness.models import Article, AwarenessEvent, Topic
from salingsapa.core.models import Region


def events_search(*, q: str = "", kelurahan: Region | None = None, kecamatan: Region | None = None,
                  topic: str = "", date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[AwarenessEvent]:
    qs = AwarenessEvent.objects.select_related("kelurahan", "kelurahan__parent").prefetch_related("partners")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(venue__icontains=q) | Q(partners__name__icontains=q)
                       | Q(partners__short_name__icontains=q)).distinct()
    if kelurahan is not None:
        qs = qs.filter(kelurahan=kelurahan)
    if kecamatan is not None:
        qs = qs.filter(kelurahan__parent=kecamatan)
    if topic:
        qs = qs.filter(topic=topic)
    if date_from is not None:
        qs = qs.filter(held_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(held_on__lte=date_to)
    return qs


def articles_published() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED).order_by("order", "pk")


def article_published(slug: str) -> Article | None:
    return articles_published().filter(slug=slug).prefetch_related("images").first()


def articles_for_staff() -> QuerySet[Article]:
    return Article.objects.select_related("author", "published_by").order_by("status", "order", "pk")


# --- reach ------------------------------------------------------------------------------------------------

@dataclass
class ReachRow:
    code: str
    label: str
    events: int = 0
    participants: int = 0
    female: int = 0
    male: int = 0
    children: int = 0


@dataclass
class Reach:
    start: dt.date
    end: dt.date
    events: int = 0
    participants: int = 0
    children: int = 0
    by_kelurahan: list[ReachRow] = field(default_factory=list)
    by_topic: list[ReachRow] = field(default_factory=list)
    by_month: list[ReachRow] = field(default_factory=list)
    # (kelurahan code, topic slug) -> participants
    cells: dict[tuple[str, str], int] = field(default_factory=dict)


_SUMS: dict[str, Any] = {
    "events": Count("pk"),
    "participants": Sum("participants_total"),
    "female_c": Sum("female_child"), "female_a": Sum("female_adult"), "female_o": Sum("female_older"),
    "male_c": Sum("male_child"), "male_a": Sum("male_adult"), "male_o": Sum("male_older"),
}


def _row(code: str, label: str, agg: Mapping[str, Any]) -> ReachRow:
    return ReachRow(
        code=code, label=label, events=agg["events"] or 0, participants=agg["participants"] or 0,
        female=(agg["female_c"] or 0) + (agg["female_a"] or 0) + (agg["female_o"] or 0),
        male=(agg["male_c"] or 0) + (agg["male_a"] or 0) + (agg["male_o"] or 0),
        children=(agg["female_c"] or 0) + (agg["male_c"] or 0),
    )


def reach(*, start: dt.date, end: dt.date, area: str = "") -> Reach:
    """Events and participants per kelurahan, per topic and per month between ``start`` and ``end``
    (inclusive), optionally inside the region ``area`` (a kecamatan or kelurahan code). Four grouped
    queries, whatever the number of events."""
    qs = AwarenessEvent.objects.filter(held_on__gte=start, held_on__lte=end)
    if area:
        qs = qs.filter(Q(kelurahan_id=area) | Q(kelurahan__code__startswith=area + "."))
    out = Reach(start=start, end=end)
    total = qs.aggregate(**_SUMS)
    out.events, out.participants = total["events"] or 0, total["participants"] or 0
    out.children = (total["female_c"] or 0) + (total["male_c"] or 0)
    per_village = list(qs.values("kelurahan_id").annotate(**_SUMS).order_by())
    regions = {r.code: r for r in Region.objects.filter(code__in=[r["kelurahan_id"] for r in per_village])
               .select_related("parent")}
    rows = []
    for agg in per_village:
        region = regions.get(agg["kelurahan_id"])
        label = region.name.title() if region else agg["kelurahan_id"]
        if region is not None and region.parent is not None:
            label = f"{label} ({region.parent.name.title()})"
        rows.append(_row(agg["kelurahan_id"], label, agg))
    out.by_kelurahan = sorted(rows, key=lambda r: (-r.participants, r.label))
    labels = dict(Topic.choices)
    out.by_topic = sorted(
        (_row(agg["topic"], str(labels.get(agg["topic"], agg["topic"])), agg)
         for agg in qs.values("topic").annotate(**_SUMS).order_by()),
        key=lambda r: (-r.participants, r.label),
    )
    months = qs.annotate(month=TruncMonth("held_on")).values("month").annotate(**_SUMS).order_by("month")
    out.by_month = [_row(f"{m['month']:%Y-%m}", f"{m['month']:%m-%Y}", m) for m in months]
    for agg in qs.values("kelurahan_id", "topic").annotate(n=Sum("participants_total")).order_by():
        out.cells[(agg["kelurahan_id"], agg["topic"])] = agg["n"] or 0
    return out
