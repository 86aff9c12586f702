"""Domain events: the one hook by which a lower layer starts follow-up work in a higher one.

Layers point down (``.importlinter``), so ``intake`` cannot call ``cases`` and ``cases`` cannot
call ``network`` or ``stats``. Where a write in a lower layer has consequences above it, the
service that did the write says so explicitly, once, with :func:`publish`; the higher app
subscribes its handler in its ``AppConfig.ready()``. There are no model signals: a write that does
not go through a service publishes nothing (bulk loads, migrations, hand edits).

====================  ===========================================  =======================================
event                 published by (once per service call)         handled by
====================  ===========================================  =======================================
REPORT_RECEIVED       ``intake.services.report_create``            ``cases``: start the first-contact clock
PERPETRATOR_CHANGED   ``cases.services``: ``case_open``,           ``network``: repeat-perpetrator scan of
                      ``report_attach``, ``case_person_save``      those cases, once, after the commit
COUNTED_DATA_CHANGED  every service writing reports, cases,         ``stats``: cached dashboard figures go
                      people or incidents, deadlines (``cases``),  stale (generation bump); the rollups
                      referrals or deliveries (``network``), with  queue those ids (no ids: rollups stale)
                      ``case_ids`` / ``report_ids``: whose rows
BULK_LOADED           ``restore`` (and any import) after loading    ``stats``: rebuild the rollups
                      rows behind the services' back
ACCOUNT_SECURITY      ``accounts.services``: account created or     ``cases``: in-app alert to the lead
                      changed by an admin, 2FA enrolled or reset   agency's supervisors
====================  ===========================================  =======================================

Handlers run synchronously in the publisher's transaction, in subscription order; work that must
only happen after the commit registers itself with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Event(StrEnum):
    REPORT_RECEIVED = "report_received"  # payload: report=<intake.Report>
    PERPETRATOR_CHANGED = "perpetrator_changed"  # payload: case_ids=<set of case ids>
    COUNTED_DATA_CHANGED = "counted_data_changed"  # payload: case_ids=, report_ids= (iterables of ids)
    BULK_LOADED = "bulk_loaded"  # no payload
    # payload: subject=<accounts.User>, actor=<user or label>, kind=<slug>, fields=<changed field names>
    ACCOUNT_SECURITY = "account_security"


Handler = Callable[..., object]

_handlers: dict[Event, list[Handler]] = {event: [] for event in Event}


def subscribe(event: Event, handler: Handler) -> None:
    """Register ``handler`` for ``event`` (idempotent: the same handler is kept once)."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: Event, **payload: Any) -> None:
    """Run every handler of ``event`` with ``payload`` (keyword arguments)."""
    for handler in list(_handlers[event]):
        handler(**payload)


def handlers(event: Event) -> list[Handler]:
    """The registered handlers (for the architecture docs and tests)."""
    return list(_handlers[event])
