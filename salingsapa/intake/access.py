"""Which reports a user may list and open (scope + audit through ``core.access.access_scoped``).

Evidence files are opened through ``network.access.access_evidence``: the one rule for a file, which
also knows a partner's referral package and the victim's consent."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from salingsapa.accounts.users import AnyUser, lead_agency_org_id, signed_in
from salingsapa.core.access import access_scoped
from salingsapa.intake.models import Report


def _org_region_code(user: AnyUser) -> str:
    """The region a lead agency answers for: its organisation's region, else the home region."""
    staff = signed_in(user)
    region = staff.organisation.region_id if staff is not None and staff.organisation is not None else None
    return region or settings.HOME_REGION_CODE


def reports_for(user: AnyUser) -> QuerySet[Report]:
    """Reports from the lead agency's own area; reports with no kelurahan go to the home region's agency."""
    if lead_agency_org_id(user) is None:
        return Report.objects.none()
    region = _org_region_code(user)
    in_area = Q(kelurahan__code__startswith=region + ".")
    if region == settings.HOME_REGION_CODE:
        in_area |= Q(kelurahan__isnull=True)
    return Report.objects.filter(in_area)


def access_report(user: AnyUser, report_id: object, *, purpose: str = "view") -> Report:
    return access_scoped(user, reports_for(user), report_id, object_type="report", purpose=purpose)
