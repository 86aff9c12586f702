"""Demo mobile-counselling schedule: upcoming visits relative to today, so the demo always shows one.

Run by ``seed-demo`` every time, also with ``--if-empty`` (the visits of an older demo have passed):
it tops the schedule up to the planned visits of the next two weeks, creating only those missing
(same date and venue), through the same services the staff pages use. Two are rota days at the
Rumah Kolaborasi (venue kind ``rumah_kolaborasi``), one is nearly full (all but one slot booked
anonymously), one stays a draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from salingsapa.accounts.models import User
from salingsapa.core.models import Region
from salingsapa.demo.seed import demo_users_ensure, organisations_ensure
from salingsapa.outreach import services
from salingsapa.outreach.models import TeamRole, VenueKind, Visit


@dataclass(frozen=True)
class DemoVisit:
    days: int
    kelurahan: str  # Kemendagri code
    venue_kind: str
    venue_name: str
    start: str
    end: str
    team: tuple[tuple[str, str], ...]  # (username, role)
    services: tuple[str, ...] = ("psikologis", "pengaduan")
    publish: bool = True
    nearly_full: bool = False


PLAN: tuple[DemoVisit, ...] = (
    DemoVisit(1, "36.73.01.1006", VenueKind.SCHOOL, "SMP Negeri 2 Kota Serang", "09:00", "12:00",
              (("konselor", TeamRole.COUNSELLOR), ("psikolog", TeamRole.PSYCHOLOGIST))),
    DemoVisit(2, "36.73.02.1002", VenueKind.POSYANDU, "Posyandu Melati", "08:30", "11:00",
              (("konselor", TeamRole.COUNSELLOR),), ("psikologis", "pengaduan", "kesehatan"), nearly_full=True),
    DemoVisit(3, "36.73.01.1001", VenueKind.RUMAH_KOLABORASI, "Rumah Kolaborasi Saling Sapa", "13:00", "16:00",
              (("psikolog", TeamRole.PSYCHOLOGIST), ("advokat", TeamRole.LEGAL_AID)), ("psikologis", "bantuan-hukum")),
    DemoVisit(5, "36.73.05.1001", VenueKind.KELURAHAN_OFFICE, "Kantor Kelurahan Cipocok Jaya", "09:00", "12:00",
              (("konselor", TeamRole.COUNSELLOR), ("advokat", TeamRole.LEGAL_AID)),
              ("psikologis", "bantuan-hukum", "pengaduan")),
    DemoVisit(7, "36.73.03.1003", VenueKind.MOSQUE, "Masjid Jami Al-Ikhlas", "13:00", "15:00",
              (("konselor", TeamRole.COUNSELLOR),)),
    DemoVisit(8, "36.73.06.1004", VenueKind.COMMUNITY_HALL, "Balai Warga RW 03", "09:00", "11:30",
              (("konselor", TeamRole.COUNSELLOR), ("psikolog", TeamRole.PSYCHOLOGIST))),
    DemoVisit(10, "36.73.01.1001", VenueKind.RUMAH_KOLABORASI, "Rumah Kolaborasi Saling Sapa", "09:00", "12:00",
              (("psikolog", TeamRole.PSYCHOLOGIST), ("advokat", TeamRole.LEGAL_AID)), ("psikologis", "bantuan-hukum")),
    DemoVisit(12, "36.73.04.1002", VenueKind.PUSKESMAS, "Puskesmas Walantaka", "08:00", "11:00",
              (("konselor", TeamRole.COUNSELLOR), ("nakes", TeamRole.HEALTH_WORKER)),
              ("psikologis", "kesehatan", "pengaduan")),
    DemoVisit(14, "36.73.02.1005", VenueKind.SCHOOL, "SD Negeri Kasemen 1", "09:00", "11:00",
              (("konselor", TeamRole.COUNSELLOR),), publish=False),
)


def _kelurahan(code: str) -> Region | None:
    """The planned kelurahan, or the first one of its kecamatan (codes differ between data releases)."""
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if region is None:
        region = (Region.objects.filter(code__startswith=code.rsplit(".", 1)[0] + ".", level=Region.Level.VILLAGE)
                  .order_by("code").first())
    return region


def demo_visits_ensure(*, today: dt.date | None = None) -> str:
    """Create the missing planned visits from ``today`` on; returns one line for the command's output."""
    today = today or timezone.localdate()
    usernames = {name for spec in PLAN for name, _ in spec.team} | {"manajer1"}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) < len(usernames):
        users = {name: user for name, user in demo_users_ensure(organisations_ensure()).items() if name in usernames}
    planner = users["manajer1"]
    created = 0
    for spec in PLAN:
        date = today + dt.timedelta(days=spec.days)
        kelurahan = _kelurahan(spec.kelurahan)
        if kelurahan is None or Visit.objects.filter(date=date, venue_name=spec.venue_name).exists():
            continue
        visit = services.visit_create(
            by=planner, date=date, start_time=dt.time.fromisoformat(spec.start), end_time=dt.time.fromisoformat(spec.end),
            kelurahan=kelurahan, venue_kind=spec.venue_kind, venue_name=spec.venue_name, services=spec.services,
            team=[(users[name], role) for name, role in spec.team],
        )
        services.slots_generate(by=planner, visit=visit, minutes=30)
        if spec.publish:
            services.visit_publish(by=planner, visit=visit)
        if spec.nearly_full:
            for _ in range(max(visit.slots.count() - 1, 0)):
                services.booking_create(visit_id=visit.pk, data={"anonymous": True})
        created += 1
    upcoming = Visit.objects.filter(date__gte=today, status=Visit.Status.PUBLISHED).count()
    return f"Demo mobile counselling: {created} visits added, {upcoming} upcoming published visits."
