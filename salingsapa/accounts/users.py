"""Typed names for "who is asking", used by every domain's services, selectors and access helpers.

``StaffUser`` is a signed-in account (staff of the lead agency or of a partner); ``AnyUser`` adds
the anonymous public (what ``request.user`` may be). Scope rules start from
:func:`lead_agency_org_id`.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from salingsapa.accounts.models import User

StaffUser: TypeAlias = User
AnyUser: TypeAlias = User | AnonymousUser


def signed_in(user: object) -> User | None:
    """The account behind ``user`` when it is signed in and active, else ``None``."""
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def lead_agency_org_id(user: object) -> int | None:
    """The organisation whose case files ``user`` works on (UPTD PPA casework roles), else ``None``."""
    staff = signed_in(user)
    if staff is None:
        return None
    return staff.organisation_id if staff.is_lead_agency_staff else None
