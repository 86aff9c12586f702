"""Demo field sessions: general consultations recorded during the past visits that ``seed-demo`` created,
so the visit summaries, the field statistics and the dashboard show figures. Disclosures are not made
up here: the demo's reports already stand for them."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from salingsapa.accounts.models import User
from salingsapa.core import codelists
from salingsapa.fieldwork.models import FieldSession
from salingsapa.outreach.models import Visit

SEXES = ["female"] * 7 + ["male"] * 3
AGES = ["13-17", "18-24", "25-44", "25-44", "25-44", "45-59", "60+"]


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
