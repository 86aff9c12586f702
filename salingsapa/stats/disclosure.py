"""Differencing check across published snapshots (docs/statistics.md, "Differencing").

Suppression (``suppression.py``) protects each table on its own. An attacker holding *several*
published tables can still subtract one from another: Jan–Okt minus Feb–Okt leaves January; the
column total of the kecamatan × form table minus the one-way form table leaves the cases outside
the city. This module checks a snapshot together with every snapshot already published by the
same office, before it is approved.

The model: every published exact number (a count shown as a number, a row/column/grand total, a
headline figure) is the sum of unknown counts over a set of *cells* — (category, stretch of time)
pairs of one counting space (cases by kelurahan; victims by age × sex; cases per violence form by
kecamatan; cases per category of each other incident attribute). Cells that no published exact
number tells apart are merged into *atoms*. A set of atoms is *determined* when its indicator
vector is a linear combination of the published numbers' vectors: then the attacker can compute
its count from published figures alone. The check finds every determined set of atoms whose
count (from today's records) is 1–4 — a leak — by enumerating the 0/1 vectors of the (small)
space of determined combinations over atoms that hold at most 4 (a set with a count ≤ 4 can only
contain such atoms). Published zeros fix their cells to 0 before that. Linear algebra is exact,
done modulo the prime 2^61 − 1 (a wrong answer would need that prime to divide a minor of a 0/1
matrix of a few hundred rows).

What is **not** covered: bounds knowledge across snapshots ("<5" = 1–4, "x" ≥ 5 are used only
inside one table, by ``suppression.exposed_cells_*``); combinations with other sources than the
published snapshots; records of a published period changed after it was published (the check
counts today's records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.stats import engine
from salingsapa.stats.engine import UNKNOWN, StatsFilter
from salingsapa.stats.suppression import COMPLEMENT, MERGED_KEY, THRESHOLD

PRIME = (1 << 61) - 1
MAX_FREE = 16  # at most 2^16 combinations per space; more and the snapshot is refused as unverifiable
MAX_ROUNDS = 40  # extra cells hidden before giving up
ELSEWHERE = "_elsewhere"  # categories outside a published table's rows (e.g. kecamatan outside the city)
SPACE_TITLES = {
    "cases": gettext_lazy("Kasus (bulan, kelurahan)"), "victims": gettext_lazy("Korban (umur, jenis kelamin)"),
    "violence_form": gettext_lazy("Bentuk kekerasan (kecamatan)"), "tpks_form": gettext_lazy("Bentuk TPKS"), "place": gettext_lazy("Tempat kejadian"),
    "relationship": gettext_lazy("Hubungan pelaku"), "met_via": gettext_lazy("Cara kenal"), "platform": gettext_lazy("Platform"),
    "factor": gettext_lazy("Faktor pendorong"),
}
INCIDENT_SPACES = ("violence_form", "tpks_form", "place", "relationship", "met_via", "platform", "factor")


class Unverifiable(Exception):
    """Too many overlapping publications to check exactly: the snapshot is not approved."""


@dataclass(frozen=True)
class Item:
    """One published number: the sum of a space's cells in ``cats`` over [start, end]."""

    space: str
    cats: frozenset[str]
    start: dt.date
    end: dt.date
    value: int | None  # None: hidden ("<5", "x")
    snapshot: int | None  # snapshot id (None = the one being checked)
    where: str  # table key and row, for the reason shown to the supervisor
    hide: tuple[Any, ...] | None = None  # where in the snapshot's data it can be hidden as "x"


@dataclass
class Leak:
    space: str
    value: int
    cells: list[tuple[str, dt.date, dt.date]]
    items: list[Item]

    def reason(self) -> str:
        parts = ", ".join(sorted({i.where + ("" if i.snapshot is None else f" (snapshot #{i.snapshot})")
                                  for i in self.items}))
        return _("%(space)s: angka 1–4 dapat dihitung dari %(parts)s") % {
            "space": SPACE_TITLES.get(self.space, self.space), "parts": parts}


# --- domains ------------------------------------------------------------------------------------


@dataclass
class Domains:
    kecamatan: list[str]
    ages: list[str]
    sexes: list[str]
    forms: list[str]

    @classmethod
    def current(cls) -> Domains:
        home = settings.HOME_REGION_CODE
        kec = list(Region.objects.filter(code__startswith=home + ".", level=Region.Level.DISTRICT)
                   .values_list("code", flat=True)) + [UNKNOWN]
        return cls(kec, [*codelists.slugs("age_group"), UNKNOWN], list(codelists.slugs("sex")),
                   list(codelists.slugs("violence_form")))


def _pair(a: str, b: str) -> str:
    return f"{a}|{b}"


def _month_range(key: str) -> tuple[dt.date, dt.date]:
    y, m = (int(x) for x in key.split("-"))
    return dt.date(y, m, 1), engine.month_end(y, m)


def _clip(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    return max(a[0], b[0]), min(a[1], b[1])


def _exact(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _groups(entries: list[dict[str, Any]], domain: list[str]) -> list[list[str]]:
    """Keys of each row/column; the merged group ("Lainnya (digabung)") is the rest of the domain."""
    listed = {e["key"] for e in entries if e["key"] != MERGED_KEY}
    return [[e["key"]] if e["key"] != MERGED_KEY else [d for d in domain if d not in listed] for e in entries]


def items_of(data: dict[str, Any], snapshot: int | None, dom: Domains) -> list[Item]:
    """Every number a snapshot's JSON publishes, as sums over cells."""
    period = (dt.date.fromisoformat(data["period"]["start"]), dt.date.fromisoformat(data["period"]["end"]))
    prev = (dt.date.fromisoformat(data["previous_period"]["start"]),
            dt.date.fromisoformat(data["previous_period"]["end"]))
    out: list[Item] = []
    everything = frozenset({"*"})
    head = data.get("headline", {})
    out.append(Item("cases", everything, *period, _exact(head.get("cases")), snapshot, "headline: kasus"))
    out.append(Item("cases", everything, *prev, _exact(head.get("cases_previous")), snapshot, "headline: kasus pembanding"))
    out.append(Item("victims", everything, *period, _exact(head.get("victims")), snapshot, "headline: korban"))
    form_all_kec = [*dom.kecamatan, ELSEWHERE]
    for ti, t in enumerate(data.get("tables", [])):
        key = t["key"]
        if "columns" in t:  # two-way tables
            if key == "age_sex":
                space, rdom, cdom = "victims", dom.ages, dom.sexes
            elif key == "kecamatan_form":
                space, rdom, cdom = "violence_form", dom.kecamatan, dom.forms
            else:
                continue
            rows, cols = _groups(t["rows"], rdom), _groups(t["columns"], cdom)
            every = frozenset(_pair(r, c) for rg in rows for r in rg for cg in cols for c in cg)
            out.append(Item(space, every, *period, _exact(t["total"]), snapshot, f"{key}: jumlah"))
            if t["withheld"]:
                continue
            for i, rg in enumerate(rows):
                label = t["rows"][i]["label"]
                cats = frozenset(_pair(r, c) for r in rg for cg in cols for c in cg)
                out.append(Item(space, cats, *period, _exact(t["row_totals"][i]), snapshot, f"{key}: {label}, jumlah"))
                for j, cg in enumerate(cols):
                    cats = frozenset(_pair(r, c) for r in rg for c in cg)
                    out.append(Item(space, cats, *period, _exact(t["cells"][i][j]), snapshot,
                                    f"{key}: {label} × {t['columns'][j]['label']}", ("cells", ti, i, j)))
            for j, cg in enumerate(cols):
                cats = frozenset(_pair(r, c) for rg in rows for r in rg for c in cg)
                out.append(Item(space, cats, *period, _exact(t["column_totals"][j]), snapshot,
                                f"{key}: {t['columns'][j]['label']}, jumlah"))
            continue
        # one-way tables
        if key in ("month", "month_previous"):
            span = period if key == "month" else prev
            row_items = [(frozenset({"*"}), _clip(_month_range(r["key"]), span)) for r in t["rows"]]
            space = "cases"
            total_span = span
        elif key == "kelurahan":
            space, total_span = "cases", period
            row_items = [(frozenset({r["key"]}), period) for r in t["rows"]]
        elif key == "violence_form":
            space, total_span = "violence_form", period
            row_items = [(frozenset(_pair(k, r["key"]) for k in form_all_kec), period) for r in t["rows"]]
        elif key in INCIDENT_SPACES:
            space, total_span = key, period
            row_items = [(frozenset({r["key"]}), period) for r in t["rows"]]
        else:
            continue
        union: frozenset[str] = frozenset().union(*(c for c, _ in row_items)) if row_items else frozenset()
        out.append(Item(space, union, *total_span, _exact(t["total"]), snapshot, f"{key}: jumlah"))
        if t["withheld"]:
            continue
        for i, ((cats, span_i), v) in enumerate(zip(row_items, t["values"], strict=True)):
            out.append(Item(space, cats, *span_i, _exact(v), snapshot, f"{key}: {t['rows'][i]['label']}",
                            ("values", ti, i)))
    return out


# --- counts per cell from today's records --------------------------------------------------------


def _atom_counts(space: str, flt: StatsFilter, dom: Domains) -> dict[str, int]:
    if space == "cases":
        return {r.key: r.value for r in engine.by_area(flt, "kelurahan").rows if r.value}
    if space == "victims":
        out: dict[str, int] = {}
        for (a, s), n in engine.crosstab(flt, "age_group", "sex").items():
            k = _pair(a, s) if a in dom.ages and s in dom.sexes else ELSEWHERE
            out[k] = out.get(k, 0) + n
        return out
    if space == "violence_form":
        out = {}
        for (kec, form), n in engine.crosstab(flt, "kecamatan", "violence_form").items():
            k = _pair(kec if kec in dom.kecamatan else ELSEWHERE, form)
            out[k] = out.get(k, 0) + n
        return out
    return {r.key: r.value for r in engine.by_incident(flt, space).rows if r.value}


def _time_atoms(items: Iterable[Item]) -> list[tuple[dt.date, dt.date]]:
    cuts: set[dt.date] = set()
    spans = []
    for it in items:
        cuts.add(it.start)
        cuts.add(it.end + dt.timedelta(days=1))
        spans.append((it.start, it.end))
    points = sorted(cuts)
    return [(a, b - dt.timedelta(days=1)) for a, b in zip(points, points[1:], strict=False)
            if any(s <= a and b - dt.timedelta(days=1) <= e for s, e in spans)]


# --- exact linear algebra modulo a prime -----------------------------------------------------------


def _rref(rows: list[list[int]], ncols: int) -> tuple[list[list[int]], list[int]]:
    m = [r[:] for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        pr = next((i for i in range(r, len(m)) if m[i][c] % PRIME), None)
        if pr is None:
            continue
        m[r], m[pr] = m[pr], m[r]
        inv = pow(m[r][c], PRIME - 2, PRIME)
        m[r] = [(x * inv) % PRIME for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c]:
                f = m[i][c]
                m[i] = [(x - f * y) % PRIME for x, y in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    return m[:r], pivots


def _null_basis(rows: list[list[int]], ncols: int) -> list[list[int]]:
    red, pivots = _rref(rows, ncols)
    free = [c for c in range(ncols) if c not in set(pivots)]
    basis = []
    for f in free:
        v = [0] * ncols
        v[f] = 1
        for i, p in enumerate(pivots):
            v[p] = (-red[i][f]) % PRIME
        basis.append(v)
    return basis


def _solve(rows: list[list[int]], target: list[int]) -> list[int] | None:
    """λ with Σ λ_i rows_i = target (mod p), or None."""
    n = len(rows)
    if not n:
        return None
    ncols = len(target)
    # columns of the system are the items: transpose, augment with the target
    aug = [[rows[i][c] for i in range(n)] + [target[c]] for c in range(ncols)]
    red, pivots = _rref(aug, n + 1)
    if n in pivots:
        return None
    lam = [0] * n
    for i, p in enumerate(pivots):
        lam[p] = red[i][n]
    return lam


# --- the check -------------------------------------------------------------------------------------


def _space_leaks(space: str, items: list[Item], counts: dict[tuple[str, int], int],
                 atoms: list[tuple[dt.date, dt.date]], domain: set[str]) -> list[Leak]:
    def cells_of(it: Item) -> set[tuple[str, int]]:
        cats = domain if "*" in it.cats else it.cats
        return {(c, a) for a, (s, e) in enumerate(atoms) if it.start <= s and e <= it.end for c in cats}

    exact = [it for it in items if it.value is not None]
    zero: set[tuple[str, int]] = set()
    for it in exact:
        if it.value == 0:
            zero |= cells_of(it)
    known = [it for it in exact if it.value]
    sig: dict[tuple[str, int], list[int]] = {}
    for k, it in enumerate(known):
        for cell in cells_of(it) - zero:
            sig.setdefault(cell, []).append(k)
    groups: dict[tuple[int, ...], list[tuple[str, int]]] = {}
    for cell, ks in sig.items():
        groups.setdefault(tuple(ks), []).append(cell)
    keys = list(groups)
    y = [sum(counts.get(c, 0) for c in groups[g]) for g in keys]
    if not keys:
        return []
    matrix = [[1 if k in set(g) else 0 for g in keys] for k in range(len(known))]
    null = _null_basis(matrix, len(keys))
    leaks: list[Leak] = []

    def leak(support: list[int]) -> Leak:
        target = [1 if a in set(support) else 0 for a in range(len(keys))]
        lam = _solve(matrix, target) or []
        used = [known[i] for i, v in enumerate(lam) if v]
        cells = sorted({(c, atoms[t][0], atoms[t][1]) for a in support for c, t in groups[keys[a]]})
        return Leak(space, sum(y[a] for a in support), cells, used)

    cand = []
    for a in range(len(keys)):
        if y[a] >= THRESHOLD:
            continue
        if all(z[a] == 0 for z in null):  # determined on its own
            if y[a]:
                leaks.append(leak([a]))
            continue  # a determined zero adds nothing to any other combination
        cand.append(a)
    if not cand:
        return leaks
    # determined combinations supported on small atoms: v with z·v = 0 for every null vector z
    m = [[z[a] for a in cand] for z in null]
    if m:
        red, pivots = _rref(m, len(cand))
    else:
        red, pivots = [], []
    free = [c for c in range(len(cand)) if c not in set(pivots)]
    if len(free) > MAX_FREE:
        raise Unverifiable(space)
    cols = [[(-red[i][f]) % PRIME for i in range(len(pivots))] for f in free]
    acc = [0] * len(pivots)
    chosen = [False] * len(free)
    for step in range(1, 1 << len(free)):
        bit = (step & -step).bit_length() - 1  # Gray code: flip one free atom per step
        chosen[bit] = not chosen[bit]
        sign = 1 if chosen[bit] else -1
        acc = [(x + sign * c) % PRIME for x, c in zip(acc, cols[bit], strict=True)]
        if any(x not in (0, 1) for x in acc):
            continue
        support = [cand[free[i]] for i in range(len(free)) if chosen[i]]
        support += [cand[pivots[i]] for i in range(len(pivots)) if acc[i] == 1]
        if 0 < sum(y[a] for a in support) < THRESHOLD:
            leaks.append(leak(support))
            if len(leaks) >= 5:
                break
    return leaks


def check(data: dict[str, Any], published: Iterable[tuple[int, dict[str, Any]]], *, organisation_id: int | None,
          report_region: str = "", cache: dict[Any, dict[str, int]] | None = None) -> list[Leak]:
    """Leaks of the snapshot ``data`` together with the ``published`` ones (id, data). [] = safe.

    ``cache`` keeps the per-atom counts between calls on the same data (``protect`` re-checks).
    """
    cache = {} if cache is None else cache
    dom = Domains.current()
    items = items_of(data, None, dom)
    for pk, other in published:
        items += items_of(other, pk, dom)
    by_space: dict[str, list[Item]] = {}
    for it in items:
        by_space.setdefault(it.space, []).append(it)
    leaks: list[Leak] = []
    base = StatsFilter(start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 1), organisation_id=organisation_id,
                       report_region=report_region)
    for space, its in by_space.items():
        atoms = _time_atoms(its)
        counts: dict[tuple[str, int], int] = {}
        domain: set[str] = {ELSEWHERE}
        for it in its:
            domain |= set(it.cats) - {"*"}
        for a, (s, e) in enumerate(atoms):
            if (space, s, e) not in cache:
                cache[(space, s, e)] = _atom_counts(space, replace(base, start=s, end=e), dom)
            for cat, n in cache[(space, s, e)].items():
                counts[(cat, a)] = n
                domain.add(cat)
        leaks += _space_leaks(space, its, counts, atoms, domain)
    return leaks


def protect(data: dict[str, Any], published: list[tuple[int, dict[str, Any]]], *, organisation_id: int | None,
            report_region: str = "") -> tuple[dict[str, Any], int, list[Leak]]:
    """Hide more cells of ``data`` (as "x", only cells of 5 or more) until no leak is left.

    Returns (data, number of extra cells hidden, leaks left). Leaks left means it cannot be protected
    by hiding cells of this snapshot: the caller refuses approval with the reason.
    """
    hidden = 0
    cache: dict[Any, dict[str, int]] = {}
    for _round in range(MAX_ROUNDS):
        leaks = check(data, published, organisation_id=organisation_id, report_region=report_region, cache=cache)
        if not leaks:
            return data, hidden, []
        options = [it for leak in leaks for it in leak.items
                   if it.snapshot is None and it.hide is not None and it.value is not None and it.value >= THRESHOLD]
        if not options:
            return data, hidden, leaks
        target = min(options, key=lambda it: it.value or 0)
        kind, ti, *pos = target.hide or ()
        table = data["tables"][ti]
        if kind == "cells":
            table["cells"][pos[0]][pos[1]] = COMPLEMENT
        else:
            table["values"][pos[0]] = COMPLEMENT
        hidden += 1
    leaks = check(data, published, organisation_id=organisation_id, report_region=report_region, cache=cache)
    return data, hidden, leaks
