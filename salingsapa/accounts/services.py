"""Writes on accounts: second-factor enrolment and reset, recovery codes, security-relevant changes.

Every function writes its audit entry and publishes ``Event.ACCOUNT_SECURITY`` (``core.events``)
where a supervisor must hear of it: an account created, its username / password / role /
organisation / active, staff or superuser flags / groups / permissions changed, its second factor
enrolled or reset. The cases app turns that into an in-app alert for the supervisors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from salingsapa.accounts.models import (
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
    recovery_code_hash,
)
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish

RECOVERY_CODE_COUNT = 10
# Changing any of these on an account can open case content to someone: audited and alerted.
SECURITY_FIELDS = frozenset({
    "username", "password", "role", "organisation", "is_active", "is_staff", "is_superuser", "groups",
    "user_permissions",
})


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (returned once, to be shown once; stored hashed)."""
    codes = [RecoveryCode.random_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(user=user, name="Kode pemulihan", confirmed=True)
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(device=device, code_hash=recovery_code_hash(user.pk, code)) for code in codes])
    audit_log(actor=user, action="update", object_type="user", object_id=user.pk, detail={"event": "recovery_codes_issued"})
    return codes


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


def authenticator_pending(*, user: User) -> AuthenticatorDevice:
    """The user's unconfirmed authenticator device (created on first call) — shown only to the user."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)
    return device


def has_second_factor(*, user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_confirm(*, user: User, device: AuthenticatorDevice) -> None:
    """The user typed a correct code from the new app: the device counts from now on."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_log(actor=user, action="update", object_type="user", object_id=user.pk, detail={"event": "totp_enrolled"})
    publish(Event.ACCOUNT_SECURITY, subject=user, actor=user, kind="second_factor_enrolled", fields=[])


def second_factor_reset(*, actor: Any, user: User, reason: str = "") -> int:
    """Remove every second-factor device of ``user``; they enrol a new app at their next sign-in.

    A signed-in session that was verified with a removed device is no longer verified. Audited (the
    reason's length only, never its text) and alerted to the supervisors. Returns the devices removed.
    """
    with transaction.atomic():
        removed = AuthenticatorDevice.objects.filter(user=user).delete()[0]
        removed += RecoveryCodeDevice.objects.filter(user=user).count()
        RecoveryCodeDevice.objects.filter(user=user).delete()
    audit_log(actor=actor, action="update", object_type="user", object_id=user.pk,
              detail={"event": "second_factor_reset", "reason_given": bool(reason.strip())})
    publish(Event.ACCOUNT_SECURITY, subject=user, actor=actor, kind="second_factor_reset", fields=[])
    return removed


def account_change_record(*, actor: Any, user: User, created: bool, fields: Iterable[str]) -> None:
    """Audit an administrator's change to an account; alert the supervisors when it is security relevant."""
    changed = sorted(set(fields))
    event = "account_created" if created else "account_changed"
    audit_log(actor=actor, action="create" if created else "update", object_type="user", object_id=user.pk,
              detail={"event": event, "fields": changed, "via": "admin"})
    if created or SECURITY_FIELDS & set(changed):
        publish(Event.ACCOUNT_SECURITY, subject=user, actor=actor, kind=event,
                fields=sorted(SECURITY_FIELDS & set(changed)) if not created else changed)
