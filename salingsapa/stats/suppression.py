"""Small-cell suppression with complementary suppression for published tables.

Rules (docs/statistics.md, "Publication"):

1. **Primary suppression**: a cell with a count of 1–4 is shown as ``"<5"``.
2. **Small margins**: a row (or column) whose total is 1–4 is merged with the other small rows
   into one "Lainnya (digabung)" row — repeated until no published total is 1–4. A table whose
   grand total is 1–4 is published as "<5" with no breakdown at all.
3. **Complementary suppression**: further cells (each with a count of at least 5, shown as
   ``"x"``) are hidden until *no hidden cell can be worked out* from what is published.

"Worked out" is checked exactly, for an attacker who knows every published cell, every row and
column total, that a ``"<5"`` cell holds 1–4 and that an ``"x"`` cell holds at least 5. The
possible tables then form a transportation polytope; a hidden cell's value is unique iff there is
no cycle of ±1 changes through it that keeps every hidden cell within its bounds. We look for that
cycle in the residual graph (rows and columns as nodes, hidden cells as arcs), which is exact for
integer tables because the constraint matrix is totally unimodular. ``tests/test_suppression.py``
checks the same property independently by brute force over all completions of random small tables.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

THRESHOLD = 5
PRIMARY = "<5"
COMPLEMENT = "x"
SHOWN, PRIMARY_S, COMPLEMENT_S = "shown", "primary", "complement"
MERGED_KEY = "_digabung"
MERGED_LABEL = "Lainnya (digabung)"


def is_small(n: int) -> bool:
    return 0 < n < THRESHOLD


def bounds(value: int, status: str) -> tuple[int, int]:
    """What the attacker knows of a cell: exact when shown, 1–4 for "<5", at least 5 for "x"."""
    if status == PRIMARY_S:
        return 1, THRESHOLD - 1
    if status == COMPLEMENT_S:
        return THRESHOLD, 10**9
    return value, value


# --- exact disclosure check ----------------------------------------------------------------


def _reachable(arcs: dict[int, list[tuple[int, tuple[int, int]]]], start: int, goal: int, skip: tuple[int, int]) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt, cell in arcs.get(node, ()):
            if cell != skip and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def exposed_cells_2d(values: Sequence[Sequence[int]], status: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Hidden cells whose value is determined by the published cells and all row/column totals."""
    n_rows = len(values)
    arcs: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    hidden: list[tuple[int, int]] = []
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if status[i][j] == SHOWN:
                continue
            hidden.append((i, j))
            lo, hi = bounds(v, status[i][j])
            r, c = i, n_rows + j
            if v < hi:  # can go up: row -> column
                arcs.setdefault(r, []).append((c, (i, j)))
            if v > lo:  # can go down: column -> row
                arcs.setdefault(c, []).append((r, (i, j)))
    out = []
    for i, j in hidden:
        v = values[i][j]
        lo, hi = bounds(v, status[i][j])
        r, c = i, n_rows + j
        up = v < hi and _reachable(arcs, c, r, (i, j))
        down = v > lo and _reachable(arcs, r, c, (i, j))
        if not (up or down):
            out.append((i, j))
    return out


def exposed_cells_1d(values: Sequence[int], status: Sequence[str]) -> list[int]:
    """Hidden cells whose value is determined by the published cells and the grand total."""
    hidden = [k for k, s in enumerate(status) if s != SHOWN]
    can_up = {k for k in hidden if values[k] < bounds(values[k], status[k])[1]}
    can_down = {k for k in hidden if values[k] > bounds(values[k], status[k])[0]}
    out = []
    for k in hidden:
        up = k in can_up and bool(can_down - {k})
        down = k in can_down and bool(can_up - {k})
        if not (up or down):
            out.append(k)
    return out


# --- choosing complementary cells ----------------------------------------------------------


def suppress_2d(values: Sequence[Sequence[int]]) -> list[list[str]]:
    """Statuses for a table whose row and column totals are all published (none of them 1–4)."""
    n_rows = len(values)
    n_cols = len(values[0]) if n_rows else 0
    status = [[PRIMARY_S if is_small(v) else SHOWN for v in row] for row in values]

    def free(i: int, j: int) -> bool:
        return status[i][j] == SHOWN and values[i][j] >= THRESHOLD

    guard = 0
    while True:
        exposed = exposed_cells_2d(values, status)
        if not exposed:
            return status
        guard += 1
        if guard > n_rows * n_cols + 5:  # cannot happen: each round hides at least one more cell
            raise Unprotectable
        i, j = exposed[0]
        options: list[tuple[int, list[tuple[int, int]]]] = []
        # one extra cell in the same row or column
        for l_ in range(n_cols):
            if free(i, l_):
                options.append((values[i][l_], [(i, l_)]))
        for k in range(n_rows):
            if free(k, j):
                options.append((values[k][j], [(k, j)]))
        # or the other three corners of a rectangle through the cell
        for k in range(n_rows):
            for l_ in range(n_cols):
                if k == i or l_ == j:
                    continue
                corners = [(i, l_), (k, j), (k, l_)]
                if all(status[a][b] != SHOWN or free(a, b) for a, b in corners):
                    new = [(a, b) for a, b in corners if status[a][b] == SHOWN]
                    if new:
                        options.append((sum(values[a][b] for a, b in new), new))
        options.sort(key=lambda o: (o[0], len(o[1])))
        for _cost, cells in options:
            for a, b in cells:
                status[a][b] = COMPLEMENT_S
            if (i, j) not in exposed_cells_2d(values, status):
                break
            for a, b in cells:
                status[a][b] = SHOWN
        else:
            # Nothing small works: hide every usable cell in the row and the column, then go on.
            changed = False
            for l_ in range(n_cols):
                if free(i, l_):
                    status[i][l_] = COMPLEMENT_S
                    changed = True
            for k in range(n_rows):
                if free(k, j):
                    status[k][j] = COMPLEMENT_S
                    changed = True
            if not changed:
                # whole-table fallback: hide every non-zero cell; the caller checks and withholds if needed
                for a in range(n_rows):
                    for b in range(n_cols):
                        if free(a, b):
                            status[a][b] = COMPLEMENT_S
                            changed = True
                if not changed:
                    raise Unprotectable


def suppress_1d(values: Sequence[int]) -> list[str]:
    """Statuses for a one-way table whose grand total is published (and is not 1–4)."""
    status = [PRIMARY_S if is_small(v) else SHOWN for v in values]
    while True:
        exposed = exposed_cells_1d(values, status)
        if not exposed:
            return status
        candidates = sorted((v, k) for k, v in enumerate(values) if status[k] == SHOWN and v >= THRESHOLD)
        for _v, k in candidates:
            status[k] = COMPLEMENT_S
            if exposed[0] not in exposed_cells_1d(values, status):
                break
            status[k] = SHOWN
        else:
            if not candidates:
                raise Unprotectable
            status[candidates[0][1]] = COMPLEMENT_S


class Unprotectable(Exception):
    """No choice of complementary cells protects the table; it is withheld."""


# --- merging small rows/columns --------------------------------------------------------------


def _merge_small(totals: list[int]) -> list[list[int]]:
    """Groups of original indices: small (1–4) ones merged together (and with the smallest other if needed)."""
    small = [k for k, t in enumerate(totals) if is_small(t)]
    if not small:
        return [[k] for k in range(len(totals))]
    merged = list(small)
    rest = [k for k in range(len(totals)) if k not in small]
    while is_small(sum(totals[k] for k in merged)) and any(totals[k] for k in rest):
        smallest = min((k for k in rest if totals[k]), key=lambda k: totals[k])
        merged.append(smallest)
        rest.remove(smallest)
    return [[k] for k in rest] + [sorted(merged)]


@dataclass
class PublishedTable:
    """A table as published: display strings only, safe to serialise to the public."""

    key: str
    title: str
    unit: str
    row_keys: list[str]
    row_labels: list[str]
    col_keys: list[str] = field(default_factory=list)
    col_labels: list[str] = field(default_factory=list)
    cells: list[list[int | str]] = field(default_factory=list)  # 2-D
    values: list[int | str] = field(default_factory=list)  # 1-D
    row_totals: list[int | str] = field(default_factory=list)
    col_totals: list[int | str] = field(default_factory=list)
    total: int | str = 0
    note: str = ""
    withheld: bool = False

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "key": self.key, "title": self.title, "unit": self.unit,
            "rows": [{"key": k, "label": lbl} for k, lbl in zip(self.row_keys, self.row_labels, strict=True)],
            "total": self.total, "note": self.note, "withheld": self.withheld,
        }
        if self.col_keys:
            d["columns"] = [{"key": k, "label": lbl} for k, lbl in zip(self.col_keys, self.col_labels, strict=True)]
            d["cells"] = self.cells
            d["row_totals"] = self.row_totals
            d["column_totals"] = self.col_totals
        else:
            d["values"] = self.values
        return d


def _show(v: int, status: str) -> int | str:
    return PRIMARY if status == PRIMARY_S else COMPLEMENT if status == COMPLEMENT_S else v


def publish_1d(key: str, title: str, unit: str, rows: list[tuple[str, str, int]], *, note: str = "") -> PublishedTable:
    """``rows`` = (key, label, count). Zeros are shown as 0; the total is always the true total unless 1–4."""
    total = sum(r[2] for r in rows)
    table = PublishedTable(key, title, unit, [r[0] for r in rows], [r[1] for r in rows], note=note)
    if is_small(total):
        return _withheld(table, rows_only=True, total=total)
    values = [r[2] for r in rows]
    try:
        status = suppress_1d(values)
    except Unprotectable:
        return _withheld(table, rows_only=True, total=total)
    table.values = [_show(v, s) for v, s in zip(values, status, strict=True)]
    table.total = total
    return table


def _withheld(table: PublishedTable, *, rows_only: bool = False, total: int | None = None) -> PublishedTable:
    table.withheld = True
    t = total if total is not None else table.total
    table.total = PRIMARY if isinstance(t, int) and is_small(t) else t
    table.values, table.cells, table.row_totals, table.col_totals = [], [], [], []
    if not rows_only:
        table.row_keys, table.row_labels = [], []
    return table


def merge_2d(matrix: list[list[int]]) -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
    """Merge rows and columns whose totals are 1–4; returns the merged matrix and the index groups."""
    n_rows = len(matrix)
    n_cols = len(matrix[0]) if n_rows else 0
    row_groups = _merge_small([sum(m) for m in matrix])
    col_groups = _merge_small([sum(matrix[i][j] for i in range(n_rows)) for j in range(n_cols)])
    merged = [[sum(matrix[a][b] for a in rg for b in cg) for cg in col_groups] for rg in row_groups]
    return merged, row_groups, col_groups


def publish_2d(
    key: str, title: str, unit: str,
    rows: list[tuple[str, str]], cols: list[tuple[str, str]], counts: dict[tuple[str, str], int],
    *, note: str = "",
) -> PublishedTable:
    """A two-way table with row and column totals. Small rows/columns are merged first."""
    matrix = [[counts.get((r, c), 0) for c, _ in cols] for r, _ in rows]
    total = sum(map(sum, matrix))
    merged, row_groups, col_groups = merge_2d(matrix)

    def group_key(group: list[int], items: list[tuple[str, str]]) -> tuple[str, str]:
        if len(group) == 1:
            return items[group[0]]
        return MERGED_KEY, MERGED_LABEL + ": " + ", ".join(items[g][1] for g in group)

    rk = [group_key(g, rows) for g in row_groups]
    ck = [group_key(g, cols) for g in col_groups]
    table = PublishedTable(
        key, title, unit, [k for k, _ in rk], [lbl for _, lbl in rk], [k for k, _ in ck], [lbl for _, lbl in ck],
        note=note, total=total,
    )
    if is_small(total) or not merged or not merged[0]:
        return _withheld(table)
    try:
        status = suppress_2d(merged)
        if exposed_cells_2d(merged, status):
            raise Unprotectable
    except Unprotectable:
        return _withheld(table, total=total)
    table.cells = [[_show(v, s) for v, s in zip(row, srow, strict=True)] for row, srow in zip(merged, status, strict=True)]
    table.row_totals = [sum(row) for row in merged]
    table.col_totals = [sum(merged[i][j] for i in range(len(merged))) for j in range(len(merged[0]))]
    return table
