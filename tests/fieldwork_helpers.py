"""Shared set-up for the field-session tests: a visit today in a Kota Serang kelurahan, entries."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from salingsapa.core.models import Region
from salingsapa.outreach.models import Visit, VisitMember

KELURAHAN = "36.73.01.1001"


def make_visit(*, day: dt.date | None = None, kelurahan: str = KELURAHAN, team=(), status: str = "published") -> Visit:
    visit = Visit.objects.create(
        date=day or timezone.localdate(), start_time=dt.time(9, 0), end_time=dt.time(12, 0),
        kelurahan=Region.objects.get(code=kelurahan), venue_kind="posyandu", venue_name="Posyandu Melati",
        status=status, created_at=timezone.now(),
    )
    for user in team:
        VisitMember.objects.create(visit=visit, user=user, role="counsellor")
    return visit


def consultation_fields(**extra) -> dict:
    fields = {"kind": "consultation", "sex": "female", "age_group": "25-44", "topic": "pengasuhan-anak"}
    fields.update(extra)
    return fields


def disclosure_fields(**extra) -> dict:
    fields = {
        "kind": "disclosure", "reporter_role": "victim", "narrative": "Suami sering memukul saya di rumah.",
        "violence_forms": ["fisik", "psikis"], "victim_sex": "female", "victim_age_group": "25-44",
        "kelurahan": KELURAHAN, "preferred_channel": "whatsapp", "contact_phone": "0812 3456 7890",
        "safe_time": "pagi saat suami bekerja", "consent_contact": "on",
    }
    fields.update(extra)
    return fields


def entry(visit: Visit, fields: dict, entry_id: str | None = None) -> dict:
    return {"id": entry_id or str(uuid.uuid4()), "visit": visit.pk, "recorded_at": timezone.now().isoformat(),
            "fields": fields}
