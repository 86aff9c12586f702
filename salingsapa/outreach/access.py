"""Opening one booking (its contact details, when it has any): scoped by
``outreach.selectors.bookings_for`` and audited through ``core.access.access_scoped``."""

from __future__ import annotations

from salingsapa.accounts.users import AnyUser
from salingsapa.core.access import access_scoped
from salingsapa.outreach.models import Booking
from salingsapa.outreach.selectors import bookings_for


def access_booking(user: AnyUser, booking_id: object, *, purpose: str = "view") -> Booking:
    """A booking as its professional or a planner may open it (404 otherwise; every read audited).
    An anonymous booking holds no name or contact: the page shows its reference and slot only."""
    return access_scoped(user, bookings_for(user), booking_id, object_type="booking", purpose=purpose)
