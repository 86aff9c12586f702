"""Pages of long lists that stay fast at a million rows (issue 14 item 2).

Two costs grow with a table under Django's ``Paginator``: ``COUNT(*)`` over every matching row on
each page view, and ``OFFSET`` — the database reads and throws away every row before the page. Here:

* **Keyset pages.** "Next" and "previous" links carry the id of the last (first) row shown
  (``?setelah=<id>`` / ``?sebelum=<id>``); the next page is the rows that sort after that row's
  ordering values, read straight from an index that matches the ordering. A new row arriving while
  someone pages never shifts a row onto the next page twice or hides one. The cursor is a row id the
  list already shows in its links (no personal data), and it is looked up in the scoped queryset: an
  id from another office's list is ignored. ``?page=N`` without a cursor still works by offset, but
  only up to ``MAX_OFFSET`` rows skipped (page 41 at 25 rows a page): a hand-typed ``?page=40000`` would make the database
  read and throw away a million rows. A deeper jump shows the deepest page reachable by offset with
  ``page.offset_capped`` set (the page says to narrow the list or go on with "Berikutnya").
* **Bounded counts.** Rows are counted up to ``COUNT_CAP``; above it the total is PostgreSQL's planner
  estimate (``EXPLAIN``) and shown as "sekitar N". SQLite (small offices) counts exactly.

The ordering must end with the primary key (``-id`` or ``id``) so that rows with equal values have a
fixed order; a queryset that does not is paged by offset only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet

COUNT_CAP = 1_000  # rows counted exactly (40 pages of 25); above this the planner's estimate
MAX_OFFSET = 1_000  # rows skipped at most by a ``?page=N`` jump without a cursor


@dataclass
class Counted:
    """What the page template reads as ``page.paginator``."""

    count: int
    num_pages: int
    approximate: bool = False


@dataclass
class KeysetPage:
    object_list: list[Any]
    number: int
    paginator: Counted
    next_after: int | None = None  # the id to put in ?setelah= for the next page
    previous_before: int | None = None  # the id to put in ?sebelum= for the previous page
    _has_next: bool = False
    _has_previous: bool = False
    offset_capped: bool = False  # ``?page=N`` asked for a page deeper than MAX_OFFSET: a shallower one is shown
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self._has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def _ordering(qs: QuerySet[Any]) -> list[tuple[str, bool]] | None:
    """[(field, descending)], or None when the ordering is not a keyset ordering (must end with the pk)."""
    order = list(qs.query.order_by) or list(qs.model._meta.ordering or [])
    fields: list[tuple[str, bool]] = []
    for item in order:
        if not isinstance(item, str) or "__" in item or item.startswith("?"):
            return None
        fields.append((item.lstrip("-"), item.startswith("-")))
    if not fields or fields[-1][0] not in ("id", "pk"):
        return None
    return fields


def _after(fields: list[tuple[str, bool]], values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the row with ``values`` in the ordering ``fields``."""
    condition = Q()
    for i, (name, desc) in enumerate(fields):
        smaller = desc == forward  # descending + forward → smaller values; ascending + forward → larger
        step = Q(**{f"{name}__{'lt' if smaller else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{fields[j][0]: values[j]})
        condition |= step
    first, desc = fields[0]
    bound = Q(**{f"{first}__{'lte' if desc == forward else 'gte'}": values[0]})  # an index range for the planner
    return bound & condition


def estimated_rows(qs: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of how many rows ``qs`` returns (``EXPLAIN``), or None elsewhere."""
    if connections[qs.db].vendor != "postgresql":
        return None
    plan = json.loads(qs.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, approximate): exact up to ``cap`` rows, the planner's estimate above it."""
    if connections[qs.db].vendor != "postgresql":
        return qs.count(), False
    n = qs.order_by()[: cap + 1].count()
    if n <= cap:
        return n, False
    estimate = estimated_rows(qs)
    return max(estimate or 0, n), True


def rows_after(qs: QuerySet[Any], pk: int, *, forward: bool = True) -> QuerySet[Any] | None:
    """The rows of ``qs`` after (``forward``) or before the row ``pk`` in its ordering, nearest first;
    None when ``qs`` has no keyset ordering or ``pk`` is not one of its rows."""
    fields = _ordering(qs)
    if fields is None:
        return None
    values = qs.filter(pk=pk).values_list(*[name for name, _desc in fields]).first()  # only a row of this list
    if values is None or any(v is None for v in values):
        return None
    page_qs = qs.filter(_after(fields, values, forward=forward))
    return page_qs if forward else page_qs.reverse()


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


def keyset_page(qs: QuerySet[Any] | Sequence[Any], params: Any, *, per_page: int,
                cap: int = COUNT_CAP, max_offset: int | None = None) -> KeysetPage:
    """One page of ``qs`` from the request's ``params`` (``page``, ``setelah``, ``sebelum``)."""
    number = _int(params.get("page"), 1) or 1
    if not isinstance(qs, QuerySet):  # a plain list: offset pages, exact count
        rows = list(qs)
        pages = max(1, math.ceil(len(rows) / per_page))
        number = min(number, pages)
        start = (number - 1) * per_page
        return KeysetPage(rows[start:start + per_page], number, Counted(len(rows), pages),
                          _has_next=number < pages, _has_previous=number > 1)
    count, approximate = bounded_count(qs, cap)
    pages = max(1, math.ceil(count / per_page))
    fields = _ordering(qs)
    after, before = _int(params.get("setelah")), _int(params.get("sebelum"))
    forward, cursor = after is not None, after or before
    page_qs = rows_after(qs, cursor, forward=forward) if cursor is not None else None
    capped = False
    if page_qs is not None:
        rows = list(page_qs[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not forward:
            rows.reverse()
        number = max(1, number)
        has_next, has_previous = (more, True) if forward else (True, more)
        if not forward and not more:
            number = 1
    else:
        if not approximate:
            number = min(number, pages)
        deepest = max(1, (MAX_OFFSET if max_offset is None else max_offset) // per_page + 1)  # the page whose offset is at most max_offset
        capped = number > deepest
        number = min(number, deepest)
        start = (number - 1) * per_page
        rows = list(qs[start: start + per_page + 1])
        has_next, has_previous = len(rows) > per_page, number > 1
        rows = rows[:per_page]
    pages = max(pages, number + (1 if has_next else 0))
    page = KeysetPage(rows, number, Counted(count, pages, approximate), _has_next=has_next, _has_previous=has_previous,
                      offset_capped=capped)
    if fields is not None and rows:
        page.next_after = rows[-1].pk if has_next else None
        page.previous_before = rows[0].pk if has_previous else None
    return page
