"""Which cases a user may list and open (scope + audit through ``core.access.access_scoped``)."""

from __future__ import annotations

from django.db.models import QuerySet

from salingsapa.accounts.users import AnyUser, lead_agency_org_id
from salingsapa.cases.models import Case
from salingsapa.core.access import access_scoped


def cases_for(user: AnyUser) -> QuerySet[Case]:
    """Cases of the user's lead-agency organisation. Partners reach cases only through referrals
    (network app); media and administrators never."""
    org_id = lead_agency_org_id(user)
    if org_id is not None:
        return Case.objects.filter(organisation_id=org_id)
    return Case.objects.none()


def access_case(user: AnyUser, case_id: object, *, purpose: str = "view") -> Case:
    return access_scoped(user, cases_for(user), case_id, object_type="case", purpose=purpose)
