"""Benchmark of the statistics engine on a synthetic national-scale table.

    SALINGSAPA_DATA_DIR=/tmp/bench DATABASE_URL=postgres://... .venv/bin/python bench/stats_engine.py --cases 200000

Creates N cases (with one incident, 1–2 forms, one victim and one perpetrator each) spread over
2024–2025 and all kelurahan of the home region, using bulk inserts, then times the dashboard
summary for a year, a month and filtered views. Only for an empty, throwaway database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from salingsapa.accounts.models import Organisation  # noqa: E402
from salingsapa.cases.models import Case, CasePerson, Incident, Person  # noqa: E402
from salingsapa.core.codelists import CHILD_AGE_GROUPS, slugs  # noqa: E402
from salingsapa.core.models import Code, Region  # noqa: E402
from salingsapa.stats import engine  # noqa: E402
from salingsapa.stats.engine import JAKARTA, StatsFilter  # noqa: E402


def populate(n: int, batch: int = 5000) -> None:
    rng = random.Random(42)
    org, _ = Organisation.objects.get_or_create(name="UPTD PPA Bench", defaults={"kind": "uptd_ppa"})
    kels = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    forms = {c.slug: c.pk for c in Code.objects.filter(list="violence_form")}
    factors = {c.slug: c.pk for c in Code.objects.filter(list="factor")}
    form_keys, factor_keys = list(forms), list(factors)
    ages = slugs("age_group")
    places, rels, mets = slugs("place"), slugs("relationship"), slugs("met_via")
    start = dt.datetime(2024, 1, 1, tzinfo=JAKARTA)
    span = int((dt.datetime(2026, 1, 1, tzinfo=JAKARTA) - start).total_seconds())
    vf_through, f_through = Incident.violence_forms.through, Incident.factors.through
    blank = Person(sex="unknown", created_at=start)  # encrypted blanks computed once, reused
    blank.full_name = blank.alias = blank.nik = blank.phone = blank.address = blank.birth_date = ""
    done = 0
    counters: dict[int, int] = {}
    while done < n:
        size = min(batch, n - done)
        with transaction.atomic():
            cases = []
            for _ in range(size):
                at = start + dt.timedelta(seconds=rng.randrange(span))
                year = at.astimezone(JAKARTA).year
                counters[year] = counters.get(year, 0) + 1
                cases.append(Case(number=f"B-{year}-{counters[year]:07d}", year=year, sequence=counters[year],
                                  organisation=org, reported_at=at, opened_at=at, kelurahan_id=rng.choice(kels),
                                  channel=rng.choice(["web", "whatsapp", "phone", "walk_in"]),
                                  status=rng.choice(["new", "in_service", "closed"]),
                                  closed_at=at + dt.timedelta(days=rng.randrange(1, 200))))
            Case.objects.bulk_create(cases, batch_size=2000)
            incs = [Incident(case=c, place=rng.choice(places), relationship=rng.choice(rels), met_via=rng.choice(mets),
                             met_via_platform=rng.choice(["instagram", "tiktok", ""]), kelurahan_id=c.kelurahan_id)
                    for c in cases]
            Incident.objects.bulk_create(incs, batch_size=2000)
            vf, ff = [], []
            for inc in incs:
                for slug in {rng.choice(form_keys) for _ in range(rng.randint(1, 2))}:
                    vf.append(vf_through(incident_id=inc.pk, code_id=forms[slug]))
                ff.append(f_through(incident_id=inc.pk, code_id=factors[rng.choice(factor_keys)]))
            vf_through.objects.bulk_create(vf, batch_size=5000)
            f_through.objects.bulk_create(ff, batch_size=5000)
            people = [Person(sex=rng.choice(["female", "female", "male"]), created_at=start) for _ in range(2 * size)]
            Person.objects.bulk_create(people, batch_size=2000)
            links = []
            for k, c in enumerate(cases):
                age = rng.choice(ages)
                links.append(CasePerson(case=c, person=people[2 * k], role="victim", age_group=age,
                                        is_child=age in CHILD_AGE_GROUPS))
                links.append(CasePerson(case=c, person=people[2 * k + 1], role="perpetrator", age_group="25-44"))
            CasePerson.objects.bulk_create(links, batch_size=5000)
        done += size
        print(f"  {done} cases", file=sys.stderr, end="\r")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(file=sys.stderr)


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    ms = (time.perf_counter() - t0) * 1000
    print(f"{label:<48} {ms:9.0f} ms")
    return ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--skip-populate", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not args.skip_populate:
        if Case.objects.exists():
            sys.exit("refusing: the database already has cases (use a throwaway database)")
        t0 = time.perf_counter()
        populate(args.cases)
        print(f"populated {args.cases} cases in {time.perf_counter() - t0:.0f} s ({connection.vendor})")
    total = Case.objects.count()
    print(f"database: {connection.vendor}, {total} cases")
    year = StatsFilter.for_year(2025, through_month=10)
    timed("summary Jan–Oct 2025 (+ Jan–Oct 2024)", lambda: engine.summary(year))
    timed("summary Oct 2025 (+ Oct 2024)", lambda: engine.summary(StatsFilter.for_month(2025, 10)))
    timed("summary 2025, form=seksual", lambda: engine.summary(StatsFilter.for_year(2025, form="seksual")))
    timed("summary 2025, kecamatan 36.73.01, age 13-17",
          lambda: engine.summary(StatsFilter.for_year(2025, area="36.73.01", age_group="13-17")))
    timed("monthly series 2024–2025", lambda: engine.by_month(StatsFilter(start=dt.date(2024, 1, 1),
                                                                         end=dt.date(2025, 12, 31))))
    timed("crosstab kecamatan × form 2025", lambda: engine.crosstab(year, "kecamatan", "violence_form"))


if __name__ == "__main__":
    main()
