"""The risk checklist: items adapted from the SafeLives DASH checklist and the Campbell Danger
Assessment for adults, plus items for children. Any red-flag "yes" makes the risk high;
otherwise the number of "yes" answers is compared with ``RISK_HIGH_SCORE`` / ``RISK_MEDIUM_SCORE``.
A professional may override the result, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    key: str
    label: Any  # a lazy translation
    red_flag: bool = False


ADULT_ITEMS: tuple[Item, ...] = (
    Item("threats_to_kill", _("Pelaku pernah mengancam akan membunuh korban, anak, atau orang lain"), True),
    Item("strangulation", _("Pelaku pernah mencekik, membekap, atau menenggelamkan korban"), True),
    Item("weapon", _("Pelaku pernah memakai atau mengancam dengan senjata (senjata tajam, senjata api)"), True),
    Item("escalation", _("Kekerasan makin sering atau makin parah")),
    Item("separation", _("Korban baru berpisah atau berencana berpisah dari pelaku")),
    Item("stalking", _("Pelaku menguntit, mengawasi, atau terus-menerus menghubungi korban (termasuk daring)")),
    Item("pregnancy", _("Korban sedang hamil atau baru melahirkan")),
    Item("sexual_violence", _("Pelaku pernah memaksa hubungan seksual atau melakukan kekerasan seksual")),
    Item("perpetrator_access", _("Pelaku masih dapat menjangkau korban (serumah, tahu alamat atau sekolah/tempat kerja)")),
    Item("controlling", _("Pelaku sangat mengekang atau cemburu berlebihan")),
    Item("injury", _("Korban pernah terluka sampai memerlukan perawatan medis")),
    Item("victim_fear", _("Korban sangat takut akan keselamatannya")),
    Item("substance", _("Pelaku menyalahgunakan alkohol atau narkoba")),
    Item("suicide_threat", _("Pelaku pernah mengancam bunuh diri")),
    Item("prior_violence", _("Pelaku pernah melakukan kekerasan terhadap orang lain atau punya catatan pidana")),
)

CHILD_ITEMS: tuple[Item, ...] = (
    Item("child_lives_with_perpetrator", _("Pelaku tinggal serumah dengan anak"), True),
    Item("child_repeated", _("Kekerasan terhadap anak terjadi berulang")),
    Item("child_no_safe_adult", _("Tidak ada orang dewasa yang aman di rumah anak"), True),
    Item("child_disability", _("Anak penyandang disabilitas")),
    Item("child_self_harm", _("Anak menyakiti diri sendiri atau berpikir untuk bunuh diri"), True),
    Item("child_serious_injury", _("Anak mengalami luka fisik serius")),
)

ALL_ITEMS: tuple[Item, ...] = ADULT_ITEMS + CHILD_ITEMS
ITEM_KEYS = frozenset(item.key for item in ALL_ITEMS)


@dataclass(frozen=True)
class RiskResult:
    score: int
    red_flags: int
    level: str  # "high" | "medium" | "low"


def risk_compute(answers: dict[str, bool]) -> RiskResult:
    """Score a checklist. Unknown keys are ignored; missing keys count as "no"."""
    yes = {key for key, value in answers.items() if value and key in ITEM_KEYS}
    red = sum(1 for item in ALL_ITEMS if item.red_flag and item.key in yes)
    score = len(yes)
    if red or score >= settings.RISK_HIGH_SCORE:
        level = "high"
    elif score >= settings.RISK_MEDIUM_SCORE:
        level = "medium"
    else:
        level = "low"
    return RiskResult(score=score, red_flags=red, level=level)
