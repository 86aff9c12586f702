"""Access helpers: the only way views, API endpoints and jobs fetch sensitive records.

Each ``access_*`` helper applies the role and organisation scope, writes the audit entry and
answers ``Http404`` both for "does not exist" and "not yours" (so ids cannot be probed); a
refused attempt on a record that exists is itself audited as ``denied``.
Each ``*_for(user)`` selector returns the queryset a user may list (listing is not a read of
sensitive content; opening a record is).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from salingsapa.core.audit import audit_log


def _lead_agency_org_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.organisation_id if user.is_lead_agency_staff else None


def cases_for(user: Any) -> QuerySet[Any]:
    Case = apps.get_model("cases", "Case")
    org_id = _lead_agency_org_id(user)
    if org_id is not None:
        return Case.objects.filter(organisation_id=org_id)
    # Partners reach cases only through referrals (network app), media and admins never.
    return Case.objects.none()


def _org_region_code(user: Any) -> str:
    """The region a lead agency answers for: its organisation's region, else the home region."""
    return user.organisation.region_id or settings.HOME_REGION_CODE


def reports_for(user: Any) -> QuerySet[Any]:
    """Reports from the lead agency's own area; reports with no kelurahan go to the home region's agency."""
    Report = apps.get_model("intake", "Report")
    if _lead_agency_org_id(user) is None:
        return Report.objects.none()
    region = _org_region_code(user)
    in_area = Q(kelurahan__code__startswith=region + ".")
    if region == settings.HOME_REGION_CODE:
        in_area |= Q(kelurahan__isnull=True)
    return Report.objects.filter(in_area)


def _access(
    user: Any, queryset: QuerySet[Any], model: type[Model], pk: Any, *, object_type: str, purpose: str
) -> Any:
    try:
        obj = queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        exists = False
        try:
            exists = model._default_manager.filter(pk=pk).exists()
        except (ValueError, TypeError):
            exists = False
        if exists:
            audit_log(actor=user, action="denied", object_type=object_type, object_id=pk, detail={"purpose": purpose})
        raise Http404 from None
    audit_log(actor=user, action="read", object_type=object_type, object_id=obj.pk, detail={"purpose": purpose})
    return obj


def access_case(user: Any, case_id: Any, *, purpose: str = "view") -> Any:
    Case = apps.get_model("cases", "Case")
    return _access(user, cases_for(user), Case, case_id, object_type="case", purpose=purpose)


def access_report(user: Any, report_id: Any, *, purpose: str = "view") -> Any:
    Report = apps.get_model("intake", "Report")
    return _access(user, reports_for(user), Report, report_id, object_type="report", purpose=purpose)


def access_person(user: Any, person_id: Any, *, purpose: str = "view") -> Any:
    Person = apps.get_model("cases", "Person")
    visible = Person.objects.filter(case_links__case__in=cases_for(user)).distinct()
    return _access(user, visible, Person, person_id, object_type="person", purpose=purpose)


def access_referral(user: Any, referral_id: Any, *, purpose: str = "view") -> Any:
    """A referral as its partner organisation or the referring office may see it (network app)."""
    from salingsapa.network.selectors import referrals_for

    Referral = apps.get_model("network", "Referral")
    return _access(user, referrals_for(user), Referral, referral_id, object_type="referral", purpose=purpose)


def access_evidence(user: Any, evidence_id: Any, *, purpose: str = "view") -> Any:
    """An evidence file's record (then ``intake.evidence.evidence_read`` for its bytes): lead-agency staff of
    the report's area or the case's office; a partner only as ``network.selectors.evidence_for`` allows."""
    from salingsapa.network.selectors import evidence_for

    Evidence = apps.get_model("intake", "Evidence")
    return _access(user, evidence_for(user), Evidence, evidence_id, object_type="evidence", purpose=purpose)


def access_conference(user: Any, conference_id: Any, *, purpose: str = "view") -> Any:
    """A case conference as its office or an invited partner may see it (network app)."""
    from salingsapa.network.selectors import conferences_for

    CaseConference = apps.get_model("network", "CaseConference")
    return _access(user, conferences_for(user), CaseConference, conference_id, object_type="conference", purpose=purpose)
