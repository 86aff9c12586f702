"""What the public sees: suppressed aggregates for one period, built once into a snapshot's JSON.

Nothing here returns a person, a case number or a free-text field: only counts per category,
passed through ``suppression`` (see docs/statistics.md, "Publication").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext

from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.stats import engine, rollup
from salingsapa.stats.engine import UNKNOWN, StatsFilter
from salingsapa.stats.suppression import MERGED_KEY, MERGED_LABEL, PRIMARY, is_small, publish_1d, publish_2d

SCHEMA_VERSION = 1
RARE_FORM_THRESHOLD = 10  # forms rarer than this city-wide are not broken down by kecamatan
UNKNOWN_LABEL = "Tidak diketahui"


def _total(n: int) -> int | str:
    return PRIMARY if is_small(n) else n


def _rows_of(b: engine.Breakdown) -> list[tuple[str, str, int]]:
    return [(r.key, r.label, r.value) for r in b.rows]


def snapshot_data(flt: StatsFilter) -> dict[str, Any]:
    """The whole public payload for a period (already suppressed, safe to serialise as it is)."""
    with rollup.session():  # the rollups are checked once, and one query per side serves every table
        return _snapshot_data(flt)


def _snapshot_data(flt: StatsFilter) -> dict[str, Any]:
    prev = flt.previous_year()
    cases, cases_prev = engine.case_total(flt), engine.case_total(prev)
    victims = engine.victim_total(flt)
    tables = []
    months = engine.by_month(flt)
    tables.append(publish_1d("month", "Kasus per bulan", "kasus", _rows_of(months)))
    prev_months = engine.by_month(prev)
    tables.append(
        publish_1d("month_previous", f"Kasus per bulan, {prev.label()} (pembanding)", "kasus", _rows_of(prev_months))
    )
    note_multi = "Satu kasus dengan beberapa kategori dihitung sekali pada setiap kategori."
    for key in ("violence_form", "tpks_form", "place", "relationship", "met_via", "platform", "factor"):
        b = engine.by_incident(flt, key)
        rows = [r for r in _rows_of(b) if key != "tpks_form" or r[2] or r[0] in codelists.slugs("tpks_form")]
        tables.append(publish_1d(key, b.title, "kasus", rows, note=note_multi))
    # victims: age group × sex
    ages = [(slug, label) for slug, label in codelists.choices("age_group", "id")] + [(UNKNOWN, UNKNOWN_LABEL)]
    sexes = codelists.choices("sex", "id")
    tables.append(
        publish_2d(
            "age_sex", "Korban menurut kelompok umur dan jenis kelamin", "korban", ages, sexes,
            engine.crosstab(flt, "age_group", "sex"),
        )
    )
    # kecamatan × form, rare forms merged first
    counts = engine.crosstab(flt, "kecamatan", "violence_form")
    form_totals: dict[str, int] = {}
    for (_kec, form), n in counts.items():
        form_totals[form] = form_totals.get(form, 0) + n
    rare = [f for f in codelists.slugs("violence_form") if form_totals.get(f, 0) < RARE_FORM_THRESHOLD]
    cols = [(slug, label) for slug, label in codelists.choices("violence_form", "id") if slug not in rare]
    if rare:
        cols.append((MERGED_KEY, f"{MERGED_LABEL}: " + ", ".join(codelists.label("violence_form", f, "id") for f in rare)))
    merged_counts: dict[tuple[str, str], int] = {}
    for (kec, form), n in counts.items():
        k = (kec, MERGED_KEY if form in rare else form)
        merged_counts[k] = merged_counts.get(k, 0) + n
    home = settings.HOME_REGION_CODE
    kecamatan = [
        (r.code, r.name.title()) for r in Region.objects.filter(code__startswith=home + ".", level=Region.Level.DISTRICT)
    ] + [(UNKNOWN, "Tidak diketahui / luar wilayah")]
    tables.append(
        publish_2d(
            "kecamatan_form", "Kasus menurut kecamatan dan bentuk kekerasan", "kasus", kecamatan, cols, merged_counts,
            note=note_multi + " Bentuk yang jarang (kurang dari 10 kasus) digabung.",
        )
    )
    kel = engine.by_area(flt, "kelurahan")
    tables.append(
        publish_1d("kelurahan", "Kasus menurut kelurahan (jumlah saja)", "kasus", _rows_of(kel),
                   note="Tanpa rincian bentuk atau korban untuk melindungi identitas.")
    )
    return {
        "schema": SCHEMA_VERSION,
        "period": {"start": flt.start.isoformat(), "end": flt.end.isoformat(), "label": flt.label()},
        "previous_period": {"start": prev.start.isoformat(), "end": prev.end.isoformat(), "label": prev.label()},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "headline": {"cases": _total(cases), "cases_previous": _total(cases_prev), "victims": _total(victims)},
        "legend": {
            PRIMARY: "1 sampai 4 (disamarkan untuk melindungi korban)",
            "x": "disamarkan agar angka kecil tidak dapat dihitung dari jumlah baris/kolom",
        },
        "tables": [t.as_dict() for t in tables],
    }


_ROW_LISTS = {"violence_form": "violence_form", "tpks_form": "tpks_form", "place": "place",
              "relationship": "relationship", "met_via": "met_via", "platform": "platform", "factor": "factor",
              "age_sex": "age_group"}
_COL_LISTS = {"age_sex": "sex", "kecamatan_form": "violence_form"}


def _labeller(list_name: str | None, lang: str) -> Any:
    def label(entry: dict[str, Any], siblings: list[dict[str, Any]]) -> str:
        key = entry["key"]
        if lang == "id":
            return str(entry["label"])
        if key == UNKNOWN:
            return gettext("Tidak diketahui")
        if key == MERGED_KEY:
            prefix = gettext(MERGED_LABEL)
            if list_name is None:
                return prefix + str(entry["label"])[len(MERGED_LABEL):]
            listed = {e["key"] for e in siblings}
            rest = [codelists.label(list_name, slug, lang) for slug in codelists.slugs(list_name) if slug not in listed]
            return f"{prefix}: " + ", ".join(rest)
        if list_name is not None and key in codelists.slugs(list_name):
            return codelists.label(list_name, key, lang)
        if len(key) == 7 and key[4] == "-" and key[:4].isdigit():  # a month, "2025-03"
            return f"{engine.MONTHS_EN[int(key[5:]) - 1]} {key[:4]}"
        return str(entry["label"])

    return label


def _note(text: str) -> str:
    """Translate a stored note sentence by sentence (notes are joined sentences)."""
    if not text:
        return text
    parts = [p if p.endswith(".") else p + "." for p in text.split(". ") if p]
    return " ".join(gettext(p) for p in parts)


def present(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Tables of a snapshot's JSON shaped for templates (rows zipped with their values).

    The JSON is stored in Bahasa Indonesia; titles, category labels and notes are shown in the
    reader's language (numbers are never touched).
    """
    lang = "en" if (get_language() or "id").startswith("en") else "id"
    out = []
    for t in data.get("tables", []):
        title = t["title"]
        if lang != "id":
            if t["key"] == "month_previous":
                prev = StatsFilter(start=dt.date.fromisoformat(data["previous_period"]["start"]),
                                   end=dt.date.fromisoformat(data["previous_period"]["end"]))
                title = gettext("Kasus per bulan, %(p)s (pembanding)") % {"p": prev.label(lang)}
            else:
                title = gettext(title)
        row_label = _labeller(_ROW_LISTS.get(t["key"]), lang)
        item: dict[str, Any] = {
            "key": t["key"], "title": title, "unit": gettext(t["unit"]) if lang != "id" else t["unit"],
            "note": _note(t.get("note", "")) if lang != "id" else t.get("note", ""),
            "withheld": t["withheld"], "total": t["total"], "two_way": "columns" in t,
        }
        if "columns" in t:
            col_label = _labeller(_COL_LISTS.get(t["key"]), lang)
            item["columns"] = [col_label(c, t["columns"]) for c in t["columns"]]
            item["body"] = [
                {"label": row_label(r, t["rows"]), "cells": cells, "total": tot}
                for r, cells, tot in zip(t["rows"], t.get("cells", []), t.get("row_totals", []), strict=False)
            ]
            item["column_totals"] = t.get("column_totals", [])
        else:
            item["body"] = [
                {"label": row_label(r, t["rows"]), "value": v} for r, v in zip(t["rows"], t.get("values", []), strict=False)
            ]
        out.append(item)
    return out


def period_labels(data: dict[str, Any]) -> tuple[str, str]:
    """The snapshot's period and comparison period in the reader's language."""
    lang = get_language() or "id"
    cur = StatsFilter(start=dt.date.fromisoformat(data["period"]["start"]), end=dt.date.fromisoformat(data["period"]["end"]))
    return cur.label(lang), cur.previous_year().label(lang)
