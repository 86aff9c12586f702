"""The risk checklist: items adapted from the SafeLives DASH checklist and the Campbell Danger
Assessment for adults, plus items for children, and the rules that make a case high risk
(``HIGH_RISK_RULES``, documented in docs/case-management.md): a red-flag "yes"; a child victim of
sexual violence; a perpetrator who can still reach a child victim or a victim of sexual violence;
or ``RISK_HIGH_SCORE`` "yes" answers. Otherwise ``RISK_MEDIUM_SCORE`` "yes" answers make it medium.
A professional may judge differently, always with a reason.
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


# The rules that make a case high risk, in the order they are checked (key, description).
HIGH_RISK_RULES: tuple[tuple[str, Any], ...] = (
    ("red_flag", _("Satu butir bertanda ⚠ dijawab \"ya\" (ancaman membunuh, mencekik, senjata; anak tinggal "
                   "serumah dengan pelaku, tidak ada orang dewasa yang aman, anak menyakiti diri)")),
    ("child_sexual_violence", _("Korban anak dan kasus kekerasan seksual (klasifikasi kejadian atau butir kekerasan "
                                "seksual)")),
    ("perpetrator_access", _("Pelaku masih dapat menjangkau korban anak atau korban kekerasan seksual")),
    ("score", _("Jumlah jawaban \"ya\" mencapai ambang risiko tinggi")),
)


@dataclass(frozen=True)
class RiskResult:
    score: int
    red_flags: int
    level: str  # "high" | "medium" | "low"
    rules: tuple[str, ...] = ()  # keys of HIGH_RISK_RULES that made it high


def risk_compute(answers: dict[str, bool], *, victim_is_child: bool = False, sexual_violence: bool = False) -> RiskResult:
    """Score a checklist with the case's facts (a child victim; sexual violence in the incident
    classification). Unknown keys are ignored; missing keys count as "no"."""
    yes = {key for key, value in answers.items() if value and key in ITEM_KEYS}
    red = sum(1 for item in ALL_ITEMS if item.red_flag and item.key in yes)
    score = len(yes)
    sexual = sexual_violence or "sexual_violence" in yes
    rules: list[str] = []
    if red:
        rules.append("red_flag")
    if victim_is_child and sexual:
        rules.append("child_sexual_violence")
    if "perpetrator_access" in yes and (victim_is_child or sexual):
        rules.append("perpetrator_access")
    if score >= settings.RISK_HIGH_SCORE:
        rules.append("score")
    if rules:
        level = "high"
    elif score >= settings.RISK_MEDIUM_SCORE:
        level = "medium"
    else:
        level = "low"
    return RiskResult(score=score, red_flags=red, level=level, rules=tuple(rules))


RISK_RANK = {"": 0, "low": 1, "medium": 2, "high": 3}
