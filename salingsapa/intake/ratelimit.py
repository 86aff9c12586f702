"""Rate limits without tracking: atomic counters in the database, keyed by a keyed hash of the subject.

The IP address (or other subject) itself is never stored or logged; ``core.crypto.keyed_hash``
makes a different, non-reversible token per purpose. Windows are fixed (simple, cheap, good
enough against floods).

Every counter is raised with one atomic ``UPDATE ... SET count = count + 1`` inside a transaction
and read back in the same transaction, so each attempt gets its own number even when 30 arrive at
once, from any thread or server process (SQLite and PostgreSQL alike). Checks that guard an
expensive or guessable operation (a password, a codename) **reserve** an attempt first with
:func:`hit` and only then do the work; :func:`release` gives the attempt back when it succeeded.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.intake.models import RateCounter


def client_ip(request: HttpRequest) -> str:
    """The client address every rate limit is keyed by.

    ``core.edge.TrustedProxyMiddleware`` has already put the real client into ``REMOTE_ADDR``:
    the address a trusted proxy (``SALINGSAPA_TRUSTED_PROXIES``) saw, or the TCP peer itself.
    ``X-Forwarded-For`` is never read here, so a client cannot pick its own bucket.
    """
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _bucket(window: int) -> int:
    return int(time.time()) // max(window, 1)


def _key(purpose: str, subject: str, window: int) -> str:
    return f"{purpose[:20]}:{crypto.keyed_hash(subject, purpose=f'ratelimit:{purpose}')}:{_bucket(window)}"


def _increment(key: str, window: int, by: int) -> int:
    # The common case, a bucket that exists: one statement, atomic by itself (no transaction around it).
    # (PostgreSQL and SQLite >= 3.35 both have UPDATE ... RETURNING; the names are the model's, quoted.)
    counters = connections[router.db_for_write(RateCounter)]
    qn = counters.ops.quote_name
    with counters.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(RateCounter._meta.db_table)} SET {qn('count')} = {qn('count')} + %s "  # noqa: S608
                       f"WHERE {qn('key')} = %s RETURNING {qn('count')}", [by, key])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    with transaction.atomic():
        if RateCounter.objects.filter(key=key).update(count=F("count") + by):
            return int(RateCounter.objects.filter(key=key).values_list("count", flat=True).get())
        now = timezone.now()
        RateCounter.objects.filter(expires_at__lt=now).delete()
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, count=max(by, 0), expires_at=now + dt.timedelta(seconds=window + 1))
                return max(by, 0)
        except IntegrityError:  # another attempt opened the same bucket first
            RateCounter.objects.filter(key=key).update(count=F("count") + by)
            return int(RateCounter.objects.filter(key=key).values_list("count", flat=True).get())


def hit(subject: str, *, purpose: str, limit: int, window: int) -> bool:
    """Count one attempt atomically; True when the subject is now over ``limit`` attempts in the window."""
    return _increment(_key(purpose, subject, window), window, 1) > limit


def release(subject: str, *, purpose: str, window: int) -> None:
    """Give back one reserved attempt (it succeeded and should not count against the subject)."""
    RateCounter.objects.filter(key=_key(purpose, subject, window), count__gt=0).update(count=F("count") - 1)


def reset(subject: str, *, purpose: str, window: int) -> None:
    """Forget the subject's attempts in the current window (e.g. after a correct password)."""
    RateCounter.objects.filter(key=_key(purpose, subject, window)).delete()


def add(subject: str, *, purpose: str, amount: int, limit: int, window: int) -> bool:
    """Count ``amount`` units (files, bytes) at once, atomically; True when the subject is now over ``limit``."""
    return _increment(_key(purpose, subject, window), window, max(int(amount), 0)) > limit


def blocked(subject: str, *, purpose: str, limit: int, window: int) -> bool:
    """True when the subject already used up its attempts (does not count one)."""
    count = RateCounter.objects.filter(key=_key(purpose, subject, window)).values_list("count", flat=True).first()
    return int(count or 0) >= limit


def request_hit(request: HttpRequest, *, purpose: str, limit: int, window: int) -> bool:
    return hit(client_ip(request), purpose=purpose, limit=limit, window=window)


def request_release(request: HttpRequest, *, purpose: str, window: int) -> None:
    release(client_ip(request), purpose=purpose, window=window)


def request_blocked(request: HttpRequest, *, purpose: str, limit: int, window: int) -> bool:
    return blocked(client_ip(request), purpose=purpose, limit=limit, window=window)
