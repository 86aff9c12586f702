"""The generic access helper behind every domain's ``access_*`` functions.

Each domain owns its scope and its typed helpers (``cases.access.access_case -> Case``,
``intake.access.access_report -> Report``, ``network.access.access_evidence -> Evidence``,
``network.access.access_referral -> Referral``, ``network.access.access_conference``); they all
end here. :func:`access_scoped` fetches one record from the user's scoped queryset, writes the
audit entry and answers ``Http404`` both for "does not exist" and "not yours" (so ids cannot be
probed); a refused attempt on a record that exists is itself audited as ``denied``.
Each domain's ``*_for(user)`` selector returns the queryset a user may list (listing is not a
read of sensitive content; opening a record is).

``core`` knows no domain: it sees users only as Django's user types (``AccessUser``).
"""

from __future__ import annotations

from typing import TypeAlias, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from salingsapa.core.audit import audit_log

# Whoever asks: a signed-in account (``accounts.User``) or the anonymous public.
AccessUser: TypeAlias = AbstractBaseUser | AnonymousUser

M = TypeVar("M", bound=Model)


def access_scoped(user: AccessUser, queryset: QuerySet[M], pk: object, *, object_type: str, purpose: str) -> M:
    """The record ``pk`` from ``queryset`` (the user's scope), audited as ``read``; else ``Http404``."""
    model = queryset.model
    try:
        obj = queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
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
