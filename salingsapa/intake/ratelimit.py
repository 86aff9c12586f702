"""Rate limits without tracking: counters in the Django cache, keyed by a keyed hash of the IP.

The IP address itself is never stored or logged; ``core.crypto.keyed_hash`` makes a different,
non-reversible token per purpose. Windows are fixed (simple, cheap, good enough against floods).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from salingsapa.core import crypto


def client_ip(request: HttpRequest) -> str:
    """The client address every rate limit is keyed by.

    ``core.edge.TrustedProxyMiddleware`` has already put the real client into ``REMOTE_ADDR``:
    the address a trusted proxy (``SALINGSAPA_TRUSTED_PROXIES``) saw, or the TCP peer itself.
    ``X-Forwarded-For`` is never read here, so a client cannot pick its own bucket.
    """
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _key(purpose: str, subject: str, window: int) -> str:
    bucket = int(time.time()) // max(window, 1)
    return f"rl:{purpose}:{crypto.keyed_hash(subject, purpose=f'ratelimit:{purpose}')}:{bucket}"


def hit(subject: str, *, purpose: str, limit: int, window: int) -> bool:
    """Count one attempt; True when the subject is now over ``limit`` attempts in the window."""
    key = _key(purpose, subject, window)
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    return count > limit


def add(subject: str, *, purpose: str, amount: int, limit: int, window: int) -> bool:
    """Count ``amount`` units (files, bytes) at once; True when the subject is now over ``limit`` in the window."""
    key = _key(purpose, subject, window)
    amount = max(int(amount), 0)
    if cache.add(key, amount, timeout=window + 1):
        count = amount
    else:
        try:
            count = cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.set(key, amount, timeout=window + 1)
            count = amount
    return count > limit


def blocked(subject: str, *, purpose: str, limit: int, window: int) -> bool:
    """True when the subject already used up its attempts (does not count one)."""
    return int(cache.get(_key(purpose, subject, window), 0) or 0) >= limit


def request_hit(request: HttpRequest, *, purpose: str, limit: int, window: int) -> bool:
    return hit(client_ip(request), purpose=purpose, limit=limit, window=window)


def request_blocked(request: HttpRequest, *, purpose: str, limit: int, window: int) -> bool:
    return blocked(client_ip(request), purpose=purpose, limit=limit, window=window)
