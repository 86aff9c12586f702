"""Read-only work on a read replica (``DATABASE_REPLICA_URL``).

Statistics pages, exports and the PDF report read a great deal and write almost nothing. Code that
does such work runs inside ``replica_reads()`` (a context manager and decorator); while it is active,
and a replica is configured (``settings.REPLICA_DATABASE``), ``ReplicaRouter`` sends the ORM's reads
to the replica. Everything else stays on the primary:

* every write (``db_for_write`` is always the primary);
* every read made while the primary has a transaction open in this thread (``transaction.atomic``):
  the audit log's head lock, a job's ``select_for_update``, a read that must see the write just made;
* every read outside ``replica_reads()``: the case list, the queue, sign-in, intake.

A replica lags the primary by the replication delay (normally well under a second on a LAN); a figure
read from it may miss the last write by that much. Migrations run on the primary only.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_READ_ONLY_WORK: contextvars.ContextVar[bool] = contextvars.ContextVar("salingsapa_replica_reads", default=False)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _replica_scope() -> Iterator[None]:
    token = _READ_ONLY_WORK.set(True)
    try:
        yield
    finally:
        _READ_ONLY_WORK.reset(token)


def replica_reads(func: F | None = None) -> Any:
    """``with replica_reads():`` or ``@replica_reads``: the reads inside may go to the replica."""
    if func is None:
        return _replica_scope()

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _replica_scope():
            return func(*args, **kwargs)

    return wrapper


def replica_alias() -> str | None:
    """The alias reads go to now, when it is not the primary (None otherwise)."""
    alias = getattr(settings, "REPLICA_DATABASE", None)
    if not alias or not _READ_ONLY_WORK.get() or alias not in connections.settings:
        return None
    if _primary_in_transaction():
        return None
    return str(alias)


def _primary_in_transaction() -> bool:
    primary = connections[DEFAULT_DB_ALIAS]
    # Test cases wrap each test in atomic blocks of their own; those do not count as the app's transaction.
    return any(not getattr(block, "_from_testcase", False) for block in primary.atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return replica_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
