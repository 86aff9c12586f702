"""Plain-language highlights ("how many, what kind, where, who, compared with last year")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from salingsapa.stats.engine import UNKNOWN, Breakdown, Row, Summary


def _top(b: Breakdown | None) -> Row | None:
    if b is None:
        return None
    rows = [r for r in b.rows if r.value and r.key != UNKNOWN]
    return max(rows, key=lambda r: r.value) if rows else None


def _pct(cur: int, prev: int) -> str:
    return f"{abs(cur - prev) * 100 / prev:.0f}%".replace(".", ",")


def highlights(s: Summary) -> list[str]:
    """Short sentences for the dashboard and the reports (aggregates only), in the active language."""
    period, before = s.flt.display_label, s.flt.previous_year().display_label
    out: list[str] = []
    if s.cases_previous:
        args = {"pct": _pct(s.cases, s.cases_previous), "n": s.cases_previous, "before": before}
        if s.cases > s.cases_previous:
            trend = _("naik %(pct)s dari %(n)s kasus pada %(before)s") % args
        elif s.cases < s.cases_previous:
            trend = _("turun %(pct)s dari %(n)s kasus pada %(before)s") % args
        else:
            trend = _("sama dengan %(before)s") % args
        out.append(_("%(n)s kasus pada %(period)s, %(trend)s.") % {"n": s.cases, "period": period, "trend": trend})
    else:
        out.append(_("%(n)s kasus pada %(period)s (tidak ada kasus pada %(before)s).")
                   % {"n": s.cases, "period": period, "before": before})
    if not s.cases:
        return out
    b = s.breakdowns
    parts = []
    if (form := _top(b.get("violence_form"))) is not None:
        parts.append(_("bentuk terbanyak kekerasan %(f)s (%(n)s kasus)") % {"f": form.label.lower(), "n": form.value})
    if (kec := _top(b.get("kecamatan"))) is not None:
        parts.append(_("kecamatan terbanyak %(k)s (%(n)s)") % {"k": kec.label, "n": kec.value})
    if parts:
        out.append(_("Paling banyak: %(items)s.") % {"items": "; ".join(parts)})
    who = []
    if s.victims:
        who.append(_("%(n)s korban, %(c)s di antaranya anak") % {"n": s.victims, "c": s.child_victims})
    if (age := _top(b.get("age_group"))) is not None:
        who.append(_("kelompok umur terbanyak %(a)s (%(n)s)") % {"a": age.label, "n": age.value})
    if (sex := _top(b.get("sex"))) is not None:
        who.append(_("%(n)s korban %(s)s") % {"n": sex.value, "s": sex.label.lower()})
    if who:
        out.append(_("Korban: %(items)s.") % {"items": "; ".join(who)})
    perp = []
    if (rel := _top(b.get("relationship"))) is not None:
        perp.append(_("hubungan pelaku terbanyak %(r)s (%(n)s kasus)") % {"r": rel.label.lower(), "n": rel.value})
    if (met := _top(b.get("met_via"))) is not None:
        text = _("paling sering kenal lewat %(m)s (%(n)s)") % {"m": met.label.lower(), "n": met.value}
        if met.key == "media-sosial" and (plat := _top(b.get("platform"))) is not None:
            text += _(", terutama %(p)s (%(n)s)") % {"p": plat.label, "n": plat.value}
        perp.append(text)
    if (factor := _top(b.get("factor"))) is not None:
        perp.append(_("faktor pendorong terbanyak %(f)s (%(n)s)") % {"f": factor.label.lower(), "n": factor.value})
    if perp:
        out.append(_("Pelaku dan penyebab: %(items)s.") % {"items": "; ".join(perp)})
    return out
