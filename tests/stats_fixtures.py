"""Small hand-built case fixtures for the statistics tests (numbers in the tests are counted by hand)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from salingsapa.accounts.models import Organisation
from salingsapa.cases.models import Case, CasePerson, Incident, Person
from salingsapa.core.codelists import CHILD_AGE_GROUPS
from salingsapa.core.models import Code
from salingsapa.intake.models import Report

WIB = ZoneInfo("Asia/Jakarta")
SERANG_1 = "36.73.01.1001"  # kelurahan Serang, kec. Serang
SERANG_2 = "36.73.01.1002"  # Cipare, kec. Serang
KASEMEN_1 = "36.73.02.1001"  # Kasemen, kec. Kasemen

_seq: dict[int, int] = {}


def wib(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=WIB)


def make_case(
    org: Organisation,
    reported_at: dt.datetime,
    *,
    kelurahan: str | None = SERANG_1,
    forms: tuple[str, ...] = ("seksual",),
    tpks: tuple[str, ...] = (),
    factors: tuple[str, ...] = (),
    victims: tuple[tuple[str, str], ...] = (("female", "13-17"),),
    place: str = "rumah-tangga",
    relationship: str = "pacar-teman",
    met_via: str = "media-sosial",
    platform: str = "instagram",
    channel: str = "web",
    status: str = "new",
    closed_at: dt.datetime | None = None,
    extra_incident_forms: tuple[str, ...] | None = None,
) -> Case:
    year = reported_at.astimezone(WIB).year
    _seq[year] = _seq.get(year, 0) + 1
    seq = Case.objects.filter(year=year).count() + 1
    case = Case.objects.create(
        number=f"SRG-{year}-{seq:04d}", year=year, sequence=seq, organisation=org, status=status,
        reported_at=reported_at, opened_at=reported_at, closed_at=closed_at, kelurahan_id=kelurahan, channel=channel,
    )
    incident = Incident.objects.create(
        case=case, place=place, relationship=relationship, met_via=met_via, met_via_platform=platform,
        kelurahan_id=kelurahan,
    )
    incident.violence_forms.set(Code.objects.filter(list="violence_form", slug__in=forms))
    incident.tpks_forms.set(Code.objects.filter(list="tpks_form", slug__in=tpks))
    incident.factors.set(Code.objects.filter(list="factor", slug__in=factors))
    if extra_incident_forms is not None:
        second = Incident.objects.create(case=case, place=place, relationship=relationship, met_via=met_via)
        second.violence_forms.set(Code.objects.filter(list="violence_form", slug__in=extra_incident_forms))
    for sex, age in victims:
        person = Person.objects.create(sex=sex, created_at=reported_at)
        CasePerson.objects.create(
            case=case, person=person, role=CasePerson.Role.VICTIM, age_group=age, is_child=age in CHILD_AGE_GROUPS
        )
    perpetrator = Person.objects.create(sex="male", created_at=reported_at)
    CasePerson.objects.create(case=case, person=perpetrator, role=CasePerson.Role.PERPETRATOR, age_group="25-44")
    return case


def make_report(received_at: dt.datetime, *, channel: str = "web", forms: tuple[str, ...] = ("seksual",),
                kelurahan: str | None = SERANG_1, age: str = "13-17", status: str = "new") -> Report:
    n = Report.objects.count() + 1
    return Report.objects.create(
        reference=f"R-{n:06d}", channel=channel, received_at=received_at, status=status, reporter_role="family",
        narrative="(uji)", violence_forms=list(forms), victim_sex="female", victim_age_group=age,
        kelurahan_id=kelurahan,
    )
