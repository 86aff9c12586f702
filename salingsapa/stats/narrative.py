"""Plain-language highlights ("how many, what kind, where, who, compared with last year")."""

from __future__ import annotations

from salingsapa.stats.engine import UNKNOWN, Breakdown, Row, Summary


def _top(b: Breakdown | None) -> Row | None:
    if b is None:
        return None
    rows = [r for r in b.rows if r.value and r.key != UNKNOWN]
    return max(rows, key=lambda r: r.value) if rows else None


def _pct(cur: int, prev: int) -> str:
    return f"{abs(cur - prev) * 100 / prev:.0f}%".replace(".", ",")


def highlights(s: Summary) -> list[str]:
    """Short Bahasa Indonesia sentences for the dashboard and the reports (aggregates only)."""
    period, before = s.flt.label(), s.flt.previous_year().label()
    out: list[str] = []
    if s.cases_previous:
        if s.cases > s.cases_previous:
            trend = f"naik {_pct(s.cases, s.cases_previous)} dari {s.cases_previous} kasus pada {before}"
        elif s.cases < s.cases_previous:
            trend = f"turun {_pct(s.cases, s.cases_previous)} dari {s.cases_previous} kasus pada {before}"
        else:
            trend = f"sama dengan {before}"
        out.append(f"{s.cases} kasus pada {period}, {trend}.")
    else:
        out.append(f"{s.cases} kasus pada {period} (tidak ada kasus pada {before}).")
    if not s.cases:
        return out
    b = s.breakdowns
    parts = []
    if (form := _top(b.get("violence_form"))) is not None:
        parts.append(f"bentuk terbanyak kekerasan {form.label.lower()} ({form.value} kasus)")
    if (kec := _top(b.get("kecamatan"))) is not None:
        parts.append(f"kecamatan terbanyak {kec.label} ({kec.value})")
    if parts:
        out.append("Paling banyak: " + "; ".join(parts) + ".")
    who = []
    if s.victims:
        who.append(f"{s.victims} korban, {s.child_victims} di antaranya anak")
    if (age := _top(b.get("age_group"))) is not None:
        who.append(f"kelompok umur terbanyak {age.label} ({age.value})")
    if (sex := _top(b.get("sex"))) is not None:
        who.append(f"{sex.value} korban {sex.label.lower()}")
    if who:
        out.append("Korban: " + "; ".join(who) + ".")
    perp = []
    if (rel := _top(b.get("relationship"))) is not None:
        perp.append(f"hubungan pelaku terbanyak {rel.label.lower()} ({rel.value} kasus)")
    if (met := _top(b.get("met_via"))) is not None:
        text = f"paling sering kenal lewat {met.label.lower()} ({met.value})"
        if met.key == "media-sosial" and (plat := _top(b.get("platform"))) is not None:
            text += f", terutama {plat.label} ({plat.value})"
        perp.append(text)
    if (factor := _top(b.get("factor"))) is not None:
        perp.append(f"faktor pendorong terbanyak {factor.label.lower()} ({factor.value})")
    if perp:
        out.append("Pelaku dan penyebab: " + "; ".join(perp) + ".")
    return out
