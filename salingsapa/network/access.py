"""Which referrals and case conferences a user may open (scope from ``network.selectors``, audit
through ``core.access.access_scoped``)."""

from __future__ import annotations

from salingsapa.accounts.users import AnyUser
from salingsapa.core.access import access_scoped
from salingsapa.intake.models import Evidence
from salingsapa.network.models import CaseConference, Referral
from salingsapa.network.selectors import conferences_for, evidence_for, referrals_for


def access_referral(user: AnyUser, referral_id: object, *, purpose: str = "view") -> Referral:
    """A referral as its partner organisation or the referring office may see it."""
    return access_scoped(user, referrals_for(user), referral_id, object_type="referral", purpose=purpose)


def access_conference(user: AnyUser, conference_id: object, *, purpose: str = "view") -> CaseConference:
    """A case conference as its office or an invited partner may see it."""
    return access_scoped(user, conferences_for(user), conference_id, object_type="conference", purpose=purpose)


def access_evidence(user: AnyUser, evidence_id: object, *, purpose: str = "view") -> Evidence:
    """An evidence file's record (then ``intake.evidence.evidence_read`` for its bytes), as
    ``network.selectors.evidence_for`` allows: lead-agency staff of the report's area or of the case's
    office; a partner only through an accepted referral whose package and consent include evidence.
    The one way to open a file: there is no narrower copy of this rule in a lower layer."""
    return access_scoped(user, evidence_for(user), evidence_id, object_type="evidence", purpose=purpose)
