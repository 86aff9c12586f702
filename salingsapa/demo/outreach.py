"""Demo mobile-counselling schedule, relative to today, so the demo always shows visits to come and visits
that took place.

Run by ``seed-demo`` every time, also with ``--if-empty`` (the visits of an older demo have passed):
it tops the schedule up to the planned visits from two weeks back to two weeks ahead, creating only
those missing (same date and venue), through the same services the staff pages use. Of the visits to
come, two are rota days at the Rumah Kolaborasi (venue kind ``rumah_kolaborasi``), one is nearly full
(all but one slot booked anonymously), one stays a draft.

A visit that took place is created the way an import of a paper schedule would record it: the service
``visit_create`` (the staff form's "not in the past" rule is the form's, for planning), then the sessions
its team recorded through ``fieldwork.services.field_session_record`` — anonymous counts, and for some
visits a disclosure that went to the intake queue through ``intake``'s one ``report_create``
(``demo.fieldwork.visit_sessions_record``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from salingsapa.accounts.models import User
from salingsapa.core.models import Region
from salingsapa.demo.fieldwork import visit_sessions_record
from salingsapa.demo.seed import demo_users_ensure, organisations_ensure
from salingsapa.outreach import services
from salingsapa.outreach.models import TeamRole, VenueKind, Visit

ROLE_OF = {"konselor": TeamRole.COUNSELLOR, "psikolog": TeamRole.PSYCHOLOGIST, "advokat": TeamRole.LEGAL_AID,
           "nakes": TeamRole.HEALTH_WORKER}
RK = ("36.73.01.1001", VenueKind.RUMAH_KOLABORASI, "Rumah Kolaborasi Saling Sapa")


@dataclass(frozen=True)
class DemoVisit:
    days: int  # from today; negative: a visit that took place
    place: tuple[str, str, str]  # kelurahan (Kemendagri code), venue kind, venue name
    hours: str  # "09:00-12:00"
    team: str  # demo usernames; each one's role is ROLE_OF's
    services: str = "psikologis pengaduan"
    publish: bool = True
    nearly_full: bool = False
    disclosures: int = 0  # for a past visit: how many sessions were a disclosure (a report in the queue)

    @property
    def members(self) -> list[tuple[str, str]]:
        return [(name, ROLE_OF[name]) for name in self.team.split()]


PLAN: tuple[DemoVisit, ...] = (
    DemoVisit(-13, ("36.73.03.1001", VenueKind.SCHOOL, "SMA Negeri 1 Walantaka"), "08:00-11:00", "konselor psikolog"),
    DemoVisit(-9, ("36.73.06.1002", VenueKind.POSYANDU, "Posyandu Mawar"), "09:00-12:00", "konselor",
              disclosures=1),
    DemoVisit(-6, RK, "13:00-16:00", "psikolog advokat", "psikologis bantuan-hukum"),
    DemoVisit(-2, ("36.73.05.1002", VenueKind.KELURAHAN_OFFICE, "Kantor Kelurahan Banjaragung"), "09:00-12:00",
              "konselor advokat", "psikologis bantuan-hukum pengaduan", disclosures=1),
    DemoVisit(1, ("36.73.01.1006", VenueKind.SCHOOL, "SMP Negeri 2 Kota Serang"), "09:00-12:00", "konselor psikolog"),
    DemoVisit(2, ("36.73.02.1002", VenueKind.POSYANDU, "Posyandu Melati"), "08:30-11:00", "konselor",
              "psikologis pengaduan kesehatan", nearly_full=True),
    DemoVisit(3, RK, "13:00-16:00", "psikolog advokat", "psikologis bantuan-hukum"),
    DemoVisit(5, ("36.73.05.1001", VenueKind.KELURAHAN_OFFICE, "Kantor Kelurahan Cipocok Jaya"), "09:00-12:00",
              "konselor advokat", "psikologis bantuan-hukum pengaduan"),
    DemoVisit(7, ("36.73.03.1003", VenueKind.MOSQUE, "Masjid Jami Al-Ikhlas"), "13:00-15:00", "konselor"),
    DemoVisit(8, ("36.73.06.1004", VenueKind.COMMUNITY_HALL, "Balai Warga RW 03"), "09:00-11:30", "konselor psikolog"),
    DemoVisit(10, RK, "09:00-12:00", "psikolog advokat", "psikologis bantuan-hukum"),
    DemoVisit(12, ("36.73.04.1002", VenueKind.PUSKESMAS, "Puskesmas Walantaka"), "08:00-11:00", "konselor nakes",
              "psikologis kesehatan pengaduan"),
    DemoVisit(14, ("36.73.02.1005", VenueKind.SCHOOL, "SD Negeri Kasemen 1"), "09:00-11:00", "konselor", publish=False),
)


def _kelurahan(code: str) -> Region | None:
    """The planned kelurahan, or the first one of its kecamatan (codes differ between data releases)."""
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if region is None:
        region = (Region.objects.filter(code__startswith=code.rsplit(".", 1)[0] + ".", level=Region.Level.VILLAGE)
                  .order_by("code").first())
    return region


def _visit(spec: DemoVisit, date: dt.date, planner: User, users: dict[str, User]) -> Visit | None:
    code, venue_kind, venue_name = spec.place
    kelurahan = _kelurahan(code)
    if kelurahan is None or Visit.objects.filter(date=date, venue_name=venue_name).exists():
        return None
    start, end = (dt.time.fromisoformat(t) for t in spec.hours.split("-"))
    visit = services.visit_create(
        by=planner, date=date, start_time=start, end_time=end, kelurahan=kelurahan, venue_kind=venue_kind,
        venue_name=venue_name, services=spec.services.split(), team=[(users[n], role) for n, role in spec.members])
    services.slots_generate(by=planner, visit=visit, minutes=30)
    if spec.publish:
        services.visit_publish(by=planner, visit=visit)
    return visit


def demo_visits_ensure(*, today: dt.date | None = None) -> str:
    """Create the missing planned visits (and the sessions of those that took place); one line of output."""
    today = today or timezone.localdate()
    usernames = {name for spec in PLAN for name, _ in spec.members} | {"manajer1"}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) < len(usernames):
        users = {name: user for name, user in demo_users_ensure(organisations_ensure()).items() if name in usernames}
    planner = users["manajer1"]
    created = sessions = 0
    for spec in PLAN:
        date = today + dt.timedelta(days=spec.days)
        visit = _visit(spec, date, planner, users)
        if visit is None:
            continue
        created += 1
        if spec.days < 0:
            recorder = users[spec.team.split()[0]]
            rng = random.Random(f"{date.isoformat()} {visit.venue_name}")  # noqa: S311 -- fake data
            sessions += visit_sessions_record(visit, recorder, rng, disclosures=spec.disclosures)
        elif spec.nearly_full:
            for _ in range(max(visit.slots.count() - 1, 0)):
                services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    upcoming = Visit.objects.filter(date__gte=today, status=Visit.Status.PUBLISHED).count()
    return (f"Demo mobile counselling: {created} visits added ({sessions} field sessions recorded on the past ones), "
            f"{upcoming} upcoming published visits.")
