"""Published snapshots cannot be differenced (issue 10 item 8): nested periods, 1-way vs 2-way, four eyes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salingsapa.stats import disclosure, services
from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.selectors import latest_public_snapshot
from salingsapa.stats.suppression import is_small
from tests.stats_fixtures import KASEMEN_1, SERANG_1, SERANG_2, make_case, wib

JAN_OCT = (dt.date(2025, 1, 1), dt.date(2025, 10, 31))
FEB_OCT = (dt.date(2025, 2, 1), dt.date(2025, 10, 31))


@pytest.fixture
def nested_leak(uptd):
    """January: 4 sexual-violence cases and 1 physical one; Feb–Oct: 5 physical and 10 sexual."""
    for day in range(1, 5):
        make_case(uptd, wib(2025, 1, day), forms=("seksual",), kelurahan=SERANG_1)
    make_case(uptd, wib(2025, 1, 20), forms=("fisik",), kelurahan=SERANG_2)
    for k in range(5):
        make_case(uptd, wib(2025, 2 + k, 3), forms=("fisik",), kelurahan=KASEMEN_1)
    for k in range(10):
        make_case(uptd, wib(2025, 2 + k % 9, 10 + k), forms=("seksual",), kelurahan=SERANG_1 if k % 2 else SERANG_2)


def _value(data, table, row):
    t = next(t for t in data["tables"] if t["key"] == table)
    if t["withheld"]:
        return None
    i = [r["key"] for r in t["rows"]].index(row)
    return t["values"][i]


def _naive_snapshots(supervisor):
    """What the code did before: two snapshots approved without a differencing check."""
    from salingsapa.stats.engine import StatsFilter
    from salingsapa.stats.publication import snapshot_data
    from salingsapa.stats.selectors import scope_for

    return [snapshot_data(scope_for(supervisor, StatsFilter(start=s, end=e))) for s, e in (JAN_OCT, FEB_OCT)]


def test_nested_periods_leaked_a_one_by_subtraction(nested_leak, supervisor):
    a, b = _naive_snapshots(supervisor)
    assert _value(a, "violence_form", "fisik") == 6 and _value(b, "violence_form", "fisik") == 5  # 6 - 5 = 1
    leaks = disclosure.check(b, [(1, a)], organisation_id=supervisor.organisation_id)
    assert leaks and any(leak.space == "violence_form" and leak.value == 1 for leak in leaks)
    assert "violence_form" in leaks[0].reason() or any("violence_form" in leak.reason() for leak in leaks)


def test_second_nested_snapshot_is_protected_or_refused(client, nested_leak, case_manager, supervisor):
    first = services.snapshot_prepare(user=case_manager, start=JAN_OCT[0], end=JAN_OCT[1])
    services.snapshot_approve(user=supervisor, snapshot=first)
    first.refresh_from_db()
    assert first.is_public and first.first_published_at is not None
    second = services.snapshot_prepare(user=case_manager, start=FEB_OCT[0], end=FEB_OCT[1])
    try:
        services.snapshot_approve(user=supervisor, snapshot=second)
    except services.SnapshotRefused as exc:
        assert "pengurangan" in str(exc)
        second.refresh_from_db()
        assert not second.is_public
        return
    except services.SnapshotChanged:
        services.snapshot_approve(user=supervisor, snapshot=second)
    second.refresh_from_db()
    assert second.is_public
    # the difference that gave 1 is no longer computable, and nothing else is either
    assert not (isinstance(_value(first.data, "violence_form", "fisik"), int)
                and isinstance(_value(second.data, "violence_form", "fisik"), int))
    assert disclosure.check(second.data, [(first.pk, first.data)], organisation_id=supervisor.organisation_id) == []


def test_preparing_checks_against_published_snapshots_already(nested_leak, case_manager, supervisor):
    first = services.snapshot_prepare(user=case_manager, start=JAN_OCT[0], end=JAN_OCT[1])
    services.snapshot_approve(user=supervisor, snapshot=first)
    second = services.snapshot_prepare(user=case_manager, start=FEB_OCT[0], end=FEB_OCT[1])
    a, b = _value(first.data, "violence_form", "fisik"), _value(second.data, "violence_form", "fisik")
    assert not (isinstance(a, int) and isinstance(b, int) and is_small(a - b))


def test_withdrawn_snapshot_still_counts(nested_leak, case_manager, supervisor):
    first = services.snapshot_prepare(user=case_manager, start=JAN_OCT[0], end=JAN_OCT[1])
    services.snapshot_approve(user=supervisor, snapshot=first)
    services.snapshot_withdraw(user=supervisor, snapshot=first)
    assert latest_public_snapshot() is None
    published = services._published_with(None, supervisor.organisation_id)
    assert [pk for pk, _ in published] == [first.pk]


def test_the_preparer_cannot_approve(nested_leak, supervisor, case_manager):
    from salingsapa.core.models import AuditEvent

    snap = services.snapshot_prepare(user=supervisor, start=JAN_OCT[0], end=JAN_OCT[1])
    with pytest.raises(PermissionDenied):
        services.snapshot_approve(user=supervisor, snapshot=snap)
    snap.refresh_from_db()
    assert not snap.is_public
    assert AuditEvent.objects.filter(action="denied", object_type="stats.snapshot",
                                     detail__reason="four_eyes").exists()


def test_four_eyes_in_the_web_page(client, nested_leak, supervisor):
    from django.urls import reverse

    from tests.casework_helpers import verified_client

    snap = services.snapshot_prepare(user=supervisor, start=JAN_OCT[0], end=JAN_OCT[1])
    c = verified_client(supervisor)
    r = c.post(reverse("stats:snapshot_approve", args=[snap.pk]), follow=True)
    assert "supervisor lain" in r.content.decode()
    assert not PublishedSnapshot.objects.get(pk=snap.pk).is_public


def test_one_way_against_two_way_table_in_one_snapshot(uptd, supervisor):
    """Cases outside the city are in the 1-way form table but not in the kecamatan × form table:
    the column total and the 1-way count differ by them."""
    from salingsapa.core.models import Region

    Region.objects.get_or_create(code="36.04", defaults={"name": "Kab Serang", "level": 2})
    Region.objects.get_or_create(code="36.04.01", defaults={"name": "Lain", "level": 3, "parent_id": "36.04"})
    Region.objects.get_or_create(code="36.04.01.2001", defaults={"name": "Desa Lain", "level": 4,
                                                                 "parent_id": "36.04.01"})
    for k in range(12):
        make_case(uptd, wib(2025, 1 + k % 9, 5 + k), forms=("seksual",), kelurahan=SERANG_1 if k % 2 else KASEMEN_1)
    make_case(uptd, wib(2025, 3, 3), forms=("seksual",), kelurahan="36.04.01.2001")
    a, _b = _naive_snapshots(supervisor)
    assert _value(a, "violence_form", "seksual") == 13
    kf = next(t for t in a["tables"] if t["key"] == "kecamatan_form")
    col = [c["key"] for c in kf["columns"]].index("seksual")
    assert kf["column_totals"][col] == 12  # 13 - 12 = 1 case outside the city
    leaks = disclosure.check(a, [], organisation_id=supervisor.organisation_id)
    assert any(leak.space == "violence_form" and leak.value == 1 for leak in leaks)


# --- the linear core, checked by brute force ------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 6), min_size=3, max_size=6),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=4))
def test_space_check_finds_exactly_the_determined_small_unions(values, spans):
    """Months with counts; published exact totals over month ranges. The check reports a leak iff some
    union of months whose count is 1–4 is an integer combination of the published ranges."""
    import itertools
    from fractions import Fraction

    n = len(values)
    ranges = sorted({(min(a, b) % n, max(a, b) % n) for a, b in spans})
    atoms = [(dt.date(2025, m + 1, 1), dt.date(2025, m + 1, 28)) for m in range(n)]
    items = [disclosure.Item("s", frozenset({"c"}), atoms[a][0], atoms[b][1], sum(values[a:b + 1]), 1, f"{a}-{b}")
             for a, b in ranges]
    counts = {("c", m): v for m, v in enumerate(values)}
    leaks = disclosure._space_leaks("s", items, counts, atoms, {"c"})

    zero_months = {m for a, b in ranges if sum(values[a:b + 1]) == 0 for m in range(a, b + 1)}

    # brute force over rationals: is the indicator of S in the span of the published ranges?
    def in_span(target):
        rows = [[Fraction(1 if a <= m <= b else 0) for m in range(n)] for a, b in ranges]
        # a published 0 tells the attacker every month in it is 0 (counts are never negative)
        rows += [[Fraction(1 if m == z else 0) for m in range(n)] for z in zero_months]
        # solve sum lam_i rows_i = target via elimination on the transposed system
        mat = [[rows[i][m] for i in range(len(rows))] + [Fraction(target[m])] for m in range(n)]
        r = 0
        for c in range(len(rows)):
            p = next((i for i in range(r, n) if mat[i][c] != 0), None)
            if p is None:
                continue
            mat[r], mat[p] = mat[p], mat[r]
            mat[r] = [x / mat[r][c] for x in mat[r]]
            for i in range(n):
                if i != r and mat[i][c] != 0:
                    f = mat[i][c]
                    mat[i] = [x - f * y for x, y in zip(mat[i], mat[r], strict=True)]
            r += 1
        return all(any(x != 0 for x in row[:-1]) or row[-1] == 0 for row in mat)

    expected = any(
        0 < sum(values[m] for m in s) < 5 and in_span([1 if m in s else 0 for m in range(n)])
        for k in range(1, n + 1) for s in itertools.combinations(range(n), k)
    )
    assert bool(leaks) == expected
