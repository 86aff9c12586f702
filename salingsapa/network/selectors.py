"""Reads of the collaboration network for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salingsapa.accounts.models import Role
from salingsapa.cases.access import cases_for
from salingsapa.intake.access import reports_for
from salingsapa.intake.models import Evidence
from salingsapa.network.models import CaseConference, Consent, PerpetratorLink, Referral
from salingsapa.network.packages import services_with_evidence


def referrals_for(user: Any) -> QuerySet[Referral]:
    """Partners: referrals to their organisation that are live (not revoked, consent not withdrawn).
    Lead-agency staff: referrals of the cases they may see. Everyone else: none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    if user.role == Role.PARTNER and user.organisation_id:
        return (
            Referral.objects.filter(organisation_id=user.organisation_id)
            .exclude(status=Referral.Status.REVOKED)
            .filter(Q(emergency_override=True) | Q(consent__withdrawn_at__isnull=True))
        )
    if user.is_lead_agency_staff:
        return Referral.objects.filter(case__in=cases_for(user))
    return Referral.objects.none()


def evidence_for(user: Any) -> QuerySet[Evidence]:
    """Evidence files a user may open.

    Lead-agency staff: files of the reports of their area and of every report of their office's cases
    (evidence follows a report into the case it opened or was attached to). Partners: files that are
    not hidden, of cases referred to their organisation by an *accepted* referral for a service whose
    package includes evidence (``network/packages.py``) and whose consent, still in force, explicitly
    includes evidence files. An emergency referral without consent never carries files. Everyone
    else: none.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Evidence.objects.none()
    if user.is_lead_agency_staff:
        return Evidence.objects.filter(Q(report__in=reports_for(user)) | Q(report__case__in=cases_for(user)))
    if user.role == Role.PARTNER and user.organisation_id:
        live = referrals_for(user).filter(
            status=Referral.Status.ACCEPTED, service__in=services_with_evidence(),
            consent__isnull=False, consent__withdrawn_at__isnull=True, consent__include_evidence=True,
        )
        return Evidence.objects.filter(hidden_at__isnull=True, report__case__in=live.values("case_id"))
    return Evidence.objects.none()


def perpetrator_alerts_for(user: Any) -> list[dict[str, Any]]:
    """For each link touching a case the user manages: only the other case's number and its manager."""
    mine = cases_for(user).filter(case_manager=user) if user.role != Role.SUPERVISOR else cases_for(user)
    mine_ids = set(mine.values_list("pk", flat=True))
    alerts = []
    links = PerpetratorLink.objects.filter(Q(case_a__in=mine_ids) | Q(case_b__in=mine_ids)).select_related(
        "case_a__case_manager", "case_b__case_manager"
    )
    for link in links:
        for own, other in ((link.case_a, link.case_b), (link.case_b, link.case_a)):
            if own.pk in mine_ids:
                manager = other.case_manager
                alerts.append({
                    "link_id": link.pk,
                    "own_case_number": own.number,
                    "own_case_id": own.pk,
                    "other_case_number": other.number,
                    "other_case_manager": (manager.get_full_name() or manager.username) if manager else "",
                    "kinds": link.kinds,
                    "found_at": link.found_at,
                })
    return alerts


def conferences_for(user: Any) -> QuerySet[CaseConference]:
    """Lead-agency staff: their office's conferences. Partners: conferences their organisation is invited to."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.organisation_id:
        return CaseConference.objects.none()
    if user.is_lead_agency_staff:
        return CaseConference.objects.filter(organisation_id=user.organisation_id)
    if user.role == Role.PARTNER:
        return CaseConference.objects.filter(invites__organisation_id=user.organisation_id).distinct()
    return CaseConference.objects.none()


def conference_items_visible(user: Any, conference: Any) -> list[Any]:
    """Agenda items whose discussion the user may read.

    The office sees all. A partner sees an item only if its organisation attended (or, before the
    meeting, was invited) AND the victim's consent covers that organisation (an active consent for
    it or its kind, or a live referral to it).
    """
    items = list(conference.items.select_related("case"))
    if user.is_lead_agency_staff and conference.organisation_id == user.organisation_id:
        return items
    if user.role != Role.PARTNER:
        return []
    invite = conference.invites.filter(organisation_id=user.organisation_id).first()
    if invite is None or (conference.status == "held" and not invite.attended):
        return []
    org = user.organisation
    visible = []
    for item in items:
        consented = Consent.objects.filter(case=item.case, withdrawn_at__isnull=True).filter(
            Q(recipient_organisation=org) | Q(recipient_organisation__isnull=True, recipient_kind__in=[org.kind, ""])
        ).exists() or referrals_for(user).filter(case=item.case).exists()
        if consented:
            visible.append(item)
    return visible
