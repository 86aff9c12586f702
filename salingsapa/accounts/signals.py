"""The one hook for account security events (issue 9): other apps listen, accounts never imports them.

``account_security_event`` is sent after an account change that could open case content to
someone: an account created, its role / organisation / staff or superuser flags / password /
groups / active state changed, its second factor enrolled or reset. The cases app turns it into an
in-app alert for the lead agency's supervisors (``cases.signals``). Arguments: ``subject`` (the
account), ``actor`` (who did it: a user, or the subject for a self-enrolment), ``event`` (a slug:
``account_created``, ``account_changed``, ``second_factor_enrolled``, ``second_factor_reset``),
``fields`` (names of the changed fields; never their values).
"""

from __future__ import annotations

from django.dispatch import Signal

account_security_event = Signal()
