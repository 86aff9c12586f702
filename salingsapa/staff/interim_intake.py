"""INTERIM: staff-side creation of a report (phone call, walk-in, mobile-counselling disclosure).

The public-reporting work (branch ``public``) provides ``salingsapa.intake.services.report_create``.
Until that is merged, :func:`staff_report_create_interim` writes the ``intake.Report`` row itself.
When merging, switch the single call in ``staff/views.py`` (``intake_new``) to ``report_create`` and
delete this module.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from salingsapa.core.audit import audit_log
from salingsapa.core.identifiers import identifier_index, normalise_identifier
from salingsapa.intake.models import Report, ReportIdentifier

STAFF_CHANNELS = ("phone", "walk_in", "outreach")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _interim_reference() -> str:
    return "PGD-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def staff_report_create_interim(
    *,
    actor: Any,
    channel: str,
    reporter_role: str,
    narrative: str,
    violence_forms: list[str],
    victim_sex: str,
    victim_age_group: str,
    tpks_forms: list[str] | None = None,
    is_emergency: bool = False,
    in_danger_now: bool = False,
    risk_level: str = "",
    kelurahan: Any = None,
    incident_date: dt.date | None = None,
    place: str = "",
    relationship: str = "",
    met_via: str = "",
    met_via_platform: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    preferred_channel: str = "",
    safe_time: str = "",
    consent_contact: bool = False,
    consent_share: bool = False,
    identifiers: list[tuple[str, str]] | None = None,
) -> Report:
    """Create a report taken by staff. Inputs are already validated by the form; identifiers are
    normalised here (raises ``core.identifiers.InvalidIdentifier``)."""
    from salingsapa.core.codelists import CHILD_AGE_GROUPS

    if channel not in STAFF_CHANNELS:
        raise ValueError("channel")
    phone_index = ""
    if contact_phone:
        kind, normalised = normalise_identifier("phone", contact_phone)
        contact_phone, phone_index = normalised, identifier_index(kind, normalised)
    normalised_ids = [normalise_identifier(kind, value) for kind, value in (identifiers or []) if value.strip()]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reference=_interim_reference(), channel=channel, received_at=timezone.now(),
                    status=Report.Status.IN_REVIEW, is_emergency=is_emergency, risk_level=risk_level,
                    reporter_role=reporter_role, in_danger_now=in_danger_now, narrative=narrative,
                    violence_forms=list(violence_forms), tpks_forms=list(tpks_forms or []), victim_sex=victim_sex,
                    victim_age_group=victim_age_group, victim_is_child=victim_age_group in CHILD_AGE_GROUPS,
                    kelurahan=kelurahan, incident_date=incident_date, place=place, relationship=relationship,
                    met_via=met_via, met_via_platform=met_via_platform, contact_name=contact_name,
                    contact_phone=contact_phone, contact_phone_index=phone_index,
                    preferred_channel=preferred_channel, safe_time=safe_time, consent_contact=consent_contact,
                    consent_share=consent_share, created_by=actor,
                )
                for kind, value in normalised_ids:
                    ReportIdentifier.objects.create(report=report, kind=kind, value=value,
                                                    value_index=identifier_index(kind, value))
                audit_log(actor=actor, action="create", object_type="report", object_id=report.pk,
                          detail={"channel": channel, "by": "staff"})
                return report
        except IntegrityError:  # reference collision: try another
            continue
    raise RuntimeError("could not allocate a report reference")
