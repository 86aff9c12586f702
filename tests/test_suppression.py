"""Small-cell suppression: no hidden cell can be worked out from what is published.

The property is checked by brute force, independently of the residual-graph argument the module
uses: every completion of the hidden cells consistent with the published cells, the row and column
totals and what the markers say ("<5" = 1..4, "x" = at least 5) is enumerated, and each hidden cell
must take at least two different values across them.
"""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salingsapa.stats import suppression as sup
from salingsapa.stats.suppression import COMPLEMENT_S, PRIMARY_S, SHOWN

small_counts = st.one_of(st.integers(0, 4), st.integers(0, 14))


def _domain(v: int, status: str, cap: int) -> range:
    if status == SHOWN:
        return range(v, v + 1)
    lo, hi = sup.bounds(v, status)
    return range(lo, min(hi, cap) + 1)


def brute_force_2d(values, status):
    """Possible values of each hidden cell over all completions that match the published table."""
    n_rows, n_cols = len(values), len(values[0])
    row_tot = [sum(r) for r in values]
    col_tot = [sum(values[i][j] for i in range(n_rows)) for j in range(n_cols)]
    seen: dict[tuple[int, int], set[int]] = {
        (i, j): set() for i in range(n_rows) for j in range(n_cols) if status[i][j] != SHOWN
    }

    def row_options(i):
        doms = [_domain(values[i][j], status[i][j], min(row_tot[i], col_tot[j])) for j in range(n_cols)]
        return [combo for combo in product(*doms) if sum(combo) == row_tot[i]]

    options = [row_options(i) for i in range(n_rows)]

    def walk(i, col_sum, chosen):
        if i == n_rows:
            if list(col_sum) == col_tot:
                for r, combo in enumerate(chosen):
                    for j, v in enumerate(combo):
                        if (r, j) in seen:
                            seen[(r, j)].add(v)
            return
        for combo in options[i]:
            nxt = [a + b for a, b in zip(col_sum, combo, strict=True)]
            if all(a <= b for a, b in zip(nxt, col_tot, strict=True)):
                walk(i + 1, nxt, [*chosen, combo])

    walk(0, [0] * n_cols, [])
    return seen


def brute_force_1d(values, status):
    total = sum(values)
    doms = [_domain(v, s, total) for v, s in zip(values, status, strict=True)]
    seen = {k: set() for k, s in enumerate(status) if s != SHOWN}
    for combo in product(*doms):
        if sum(combo) == total:
            for k in seen:
                seen[k].add(combo[k])
    return seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 3).flatmap(lambda r: st.lists(st.lists(small_counts, min_size=3, max_size=3), min_size=r, max_size=r)))
def test_no_hidden_cell_is_determined_2d(matrix):
    merged, _rows, _cols = sup.merge_2d(matrix)
    total = sum(map(sum, merged))
    if sup.is_small(total) or total == 0:
        return  # published as "<5" (or 0) with no breakdown at all
    # no published total is 1..4 after merging
    assert not any(sup.is_small(sum(r)) for r in merged)
    assert not any(sup.is_small(sum(merged[i][j] for i in range(len(merged)))) for j in range(len(merged[0])))
    try:
        status = sup.suppress_2d(merged)
    except sup.Unprotectable:
        return  # withheld entirely
    for i, row in enumerate(merged):
        for j, v in enumerate(row):
            assert (status[i][j] == PRIMARY_S) == sup.is_small(v), "every 1-4 cell is hidden as <5"
            if status[i][j] == COMPLEMENT_S:
                assert v >= sup.THRESHOLD
    possible = brute_force_2d(merged, status)
    for cell, vals in possible.items():
        assert merged[cell[0]][cell[1]] in vals  # the true table is one of the completions
        assert len(vals) >= 2, f"cell {cell} of {merged} with {status} is determined"
    # and the fast exact check agrees with brute force
    assert sup.exposed_cells_2d(merged, status) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(small_counts, min_size=2, max_size=6))
def test_no_hidden_cell_is_determined_1d(values):
    if sup.is_small(sum(values)) or sum(values) == 0:
        return
    try:
        status = sup.suppress_1d(values)
    except sup.Unprotectable:
        return
    possible = brute_force_1d(values, status)
    for k, vals in possible.items():
        assert len(vals) >= 2, f"cell {k} of {values} with {status} is determined"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(small_counts, min_size=3, max_size=3), min_size=3, max_size=3))
def test_exact_check_agrees_with_brute_force_on_any_suppression_pattern(matrix):
    """The residual-graph check says 'exposed' exactly when brute force finds a single value."""
    status = [[PRIMARY_S if sup.is_small(v) else (COMPLEMENT_S if v >= 5 and (i + j) % 2 else SHOWN)
               for j, v in enumerate(row)] for i, row in enumerate(matrix)]
    possible = brute_force_2d(matrix, status)
    determined = sorted(c for c, vals in possible.items() if len(vals) == 1)
    assert determined == sorted(sup.exposed_cells_2d(matrix, status))


def test_classic_example_needs_complements():
    # One small cell alone in its row and column would be recovered from the totals.
    values = [[2, 10, 7], [8, 9, 12], [6, 11, 15]]
    status = sup.suppress_2d(values)
    assert status[0][0] == PRIMARY_S
    hidden = sum(s != SHOWN for row in status for s in row)
    assert hidden >= 4
    assert sup.exposed_cells_2d(values, status) == []


def test_two_ones_in_a_row_are_not_enough():
    # "<5" + "<5" summing to 2 would give away 1 and 1: the check knows it.
    values = [[1, 1, 9], [6, 7, 8]]
    status = [[PRIMARY_S, PRIMARY_S, SHOWN], [SHOWN, SHOWN, SHOWN]]
    assert sup.exposed_cells_2d(values, status) != []
    assert sup.exposed_cells_2d(values, sup.suppress_2d(values)) == []


def test_publish_2d_merges_small_rows_and_hides_small_cells():
    rows = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
    cols = [("x", "X"), ("y", "Y")]
    counts = {("a", "x"): 10, ("a", "y"): 3, ("b", "x"): 7, ("b", "y"): 9, ("c", "x"): 1, ("d", "y"): 2}
    table = sup.publish_2d("t", "T", "kasus", rows, cols, counts)
    # C (1) and D (2) merged: 3 is still small, so the smallest other row (A, 13) joins them
    assert table.row_keys == ["b", sup.MERGED_KEY]
    assert table.row_labels[1] == sup.MERGED_LABEL + ": A, C, D"
    assert table.total == 32
    flat = [c for row in table.cells for c in row]
    assert all(not (isinstance(t, int) and sup.is_small(t)) for t in table.row_totals + table.col_totals)
    assert all(not (isinstance(c, int) and sup.is_small(c)) for c in flat)


def test_publish_2d_hides_a_small_cell_and_its_complements():
    rows = [("a", "A"), ("b", "B"), ("c", "C")]
    cols = [("x", "X"), ("y", "Y"), ("z", "Z")]
    matrix = [[2, 10, 7], [8, 9, 12], [6, 11, 15]]
    counts = {(r, c): matrix[i][j] for i, (r, _) in enumerate(rows) for j, (c, _) in enumerate(cols)}
    table = sup.publish_2d("t", "T", "kasus", rows, cols, counts)
    assert table.cells[0][0] == sup.PRIMARY
    assert sum(c == sup.COMPLEMENT for row in table.cells for c in row) >= 3
    assert table.row_totals == [19, 29, 32] and table.col_totals == [16, 30, 34] and table.total == 80
    assert table.as_dict()["cells"][0][0] == "<5"


def test_publish_tiny_table_is_withheld():
    table = sup.publish_2d("t", "T", "kasus", [("a", "A")], [("x", "X")], {("a", "x"): 3})
    assert table.withheld and table.total == sup.PRIMARY and table.cells == []
    one = sup.publish_1d("t", "T", "kasus", [("a", "A", 2), ("b", "B", 1)])
    assert one.withheld and one.total == sup.PRIMARY and one.values == []


@pytest.mark.parametrize("values", [[0, 0, 7], [5, 5, 0], [12, 3, 1, 9]])
def test_publish_1d_never_shows_small_values(values):
    table = sup.publish_1d("t", "T", "kasus", [(str(k), str(k), v) for k, v in enumerate(values)])
    assert all(not (isinstance(v, int) and sup.is_small(v)) for v in table.values)
    assert table.total == sum(values)
