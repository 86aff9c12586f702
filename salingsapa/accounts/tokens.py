"""Bearer tokens for partner systems (detailed statistics API)."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from salingsapa.accounts.models import ApiToken, User
from salingsapa.core import crypto
from salingsapa.core.audit import audit_log

PREFIX = "ssk_"


def _hash(token: str) -> str:
    return crypto.keyed_hash(token, purpose="api-token") + crypto.keyed_hash(token[::-1], purpose="api-token")


def api_token_create(*, actor: Any, user: User, name: str) -> str:
    """Create a token for ``user``; returns the token text, which is never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, token_hash=_hash(token), created_at=timezone.now())
    audit_log(actor=actor, action="create", object_type="api_token", object_id=record.pk, detail={"user": user.pk})
    return token


def api_token_user(token: str) -> User | None:
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    record = ApiToken.objects.select_related("user").filter(token_hash=_hash(token), revoked_at__isnull=True).first()
    if record is None or not record.user.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ssk_...``; the endpoint then sees ``request.auth`` = the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_user(token)
