"""Shared builders for the outreach tests: a published visit with slots, tomorrow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from salingsapa.core.models import Region
from salingsapa.outreach import services
from salingsapa.outreach.models import TeamRole, Visit

KELURAHAN = "36.73.01.1001"  # a kelurahan of Kota Serang (loaded by the reference-data migration)


def kelurahan() -> Region:
    region = Region.objects.filter(code__startswith="36.73.", level=Region.Level.VILLAGE).order_by("code").first()
    assert region is not None
    return region


def make_visit(planner, professionals=(), *, days: int = 1, start: str = "09:00", end: str = "10:00",
               minutes: int = 30, publish: bool = True, venue_name: str = "SDN Kaligandu 1",
               venue_kind: str = "school", slots: bool = True) -> Visit:
    date = timezone.localdate() + dt.timedelta(days=days)
    visit = services.visit_create(
        by=planner, date=date, start_time=dt.time.fromisoformat(start), end_time=dt.time.fromisoformat(end),
        kelurahan=kelurahan(), venue_kind=venue_kind, venue_name=venue_name, services=["psikologis", "pengaduan"],
        team=[(p, TeamRole.PSYCHOLOGIST) for p in professionals],
    )
    if slots:
        services.slots_generate(by=planner, visit=visit, minutes=minutes)
    if publish:
        services.visit_publish(by=planner, visit=visit)
    return visit
