"""Demo field sessions, so the visit summaries, the field statistics and the dashboard show figures.

``visit_sessions_record`` records the sessions of one past demo visit through the service the field app
uses (``fieldwork.services.field_session_record``): anonymous consultations and, when asked, disclosures,
which go to the intake queue as reports through intake's one ``report_create``. Idempotent: each entry's
device id is derived from the visit, so a second run replays instead of adding.

``field_sessions_seed`` fills in consultations (only) for any other past visit without sessions (the
visits to come of an older demo, which have passed since)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from salingsapa.accounts.models import User
from salingsapa.core import codelists
from salingsapa.fieldwork.models import FieldSession
from salingsapa.fieldwork.services import field_session_record
from salingsapa.outreach.models import Visit

SEXES = ["female"] * 7 + ["male"] * 3
AGES = ["13-17", "18-24", "25-44", "25-44", "25-44", "45-59", "60+"]


# What a person told the counsellor in private, written down as the report (no real person).
DISCLOSURES = (
    {"reporter_role": "victim", "in_danger_now": False, "narrative": "Saya sering dibentak dan dipukul suami bila uang belanja kurang.",
     "violence_forms": ["fisik", "psikis"], "victim": {"sex": "female", "age_group": "25-44"},
     "relationship": "suami-istri"},
    {"reporter_role": "family", "in_danger_now": False, "narrative": "Keponakan saya (14 tahun) dikirimi pesan tidak senonoh oleh orang "
     "yang dikenalnya di media sosial dan diminta mengirim foto.", "violence_forms": ["seksual"],
     "victim": {"sex": "female", "age_group": "13-17"}, "relationship": "kenalan-daring"},
)


def visit_sessions_record(visit: Visit, recorder: User, rng: random.Random, *, disclosures: int = 0,
                          sessions: tuple[int, int] = (4, 9)) -> int:
    """Record the sessions of a visit that took place (``disclosures`` of them disclosures); returns how many."""
    topics = codelists.slugs("counselling_topic")
    start = dt.datetime.combine(visit.date, visit.start_time, tzinfo=timezone.get_current_timezone())
    count = rng.randint(*sessions)
    created = 0
    for i in range(count + disclosures):
        client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"salingsapa-demo:{visit.date}:{visit.venue_name}:{i}")
        when = start + dt.timedelta(minutes=15 * i + rng.randint(0, 10))
        if i < count:
            result = field_session_record(actor=recorder, visit=visit, client_id=client_id, kind="consultation",
                                          sex=rng.choice(SEXES), age_group=rng.choice(AGES), topic=rng.choice(topics),
                                          recorded_at=when)
        else:
            report = {**DISCLOSURES[(i - count) % len(DISCLOSURES)], "kelurahan_code": visit.kelurahan.code}
            result = field_session_record(actor=recorder, visit=visit, client_id=client_id, kind="disclosure",
                                          report=report, recorded_at=when)
        created += int(result.created)
    return created


def field_sessions_seed(rng: random.Random, *, per_visit: tuple[int, int] = (3, 9)) -> int:
    """Consultations for every past visit that has none yet (run again: nothing is added twice)."""
    recorder = User.objects.filter(username="konselor").first()
    if recorder is None:
        return 0
    topics = codelists.slugs("counselling_topic")
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    visits = (Visit.objects.filter(date__lte=today).exclude(status=Visit.Status.CANCELLED)
              .exclude(field_sessions__isnull=False).order_by("date", "pk"))
    for visit in visits:
        start = dt.datetime.combine(visit.date, visit.start_time, tzinfo=timezone.get_current_timezone())
        for i in range(rng.randint(*per_visit)):
            when = min(start + dt.timedelta(minutes=20 * i + rng.randint(0, 15)), now)
            rows.append(FieldSession(
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4), visit=visit,
                kind=FieldSession.Kind.CONSULTATION, sex=rng.choice(SEXES), age_group=rng.choice(AGES),
                topic=rng.choice(topics), kelurahan_id=visit.kelurahan_id, recorded_by=recorder,
                recorded_at=when, synced_at=when,
            ))
    FieldSession.objects.bulk_create(rows)
    return len(rows)
