"""The minimal information package a partner sees for a referral, chosen per service.

Partners never open the case record. They see only the fields their service needs, built live
from the case each time (so a correction or a withdrawal takes effect at once).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists

# Field groups a package can contain.
FIELD_LABELS = {
    "victim_alias": _("Nama panggilan korban"),
    "victim_name": _("Nama korban"),
    "victim_sex": _("Jenis kelamin"),
    "victim_age_group": _("Kelompok umur"),
    "victim_is_child": _("Korban anak"),
    "contact": _("Kontak aman"),
    "case_summary": _("Ringkasan kasus"),
    "violence_forms": _("Bentuk kekerasan"),
    "tpks_forms": _("Bentuk TPKS"),
    "incident_dates": _("Tanggal kejadian"),
    "relationship": _("Hubungan pelaku dengan korban"),
    "perpetrator_identifiers": _("Identitas pelaku"),
    "risk_level": _("Tingkat risiko"),
    "evidence": _("Berkas bukti (foto, rekaman, dokumen)"),
}

BASE = ["victim_alias", "victim_sex", "victim_age_group", "victim_is_child", "contact"]

PACKAGES: dict[str, list[str]] = {
    "psikologis": BASE + ["case_summary", "violence_forms", "risk_level"],
    "bantuan-hukum": BASE + ["victim_name", "case_summary", "violence_forms", "tpks_forms", "incident_dates", "relationship",
                             "evidence"],
    "penegakan-hukum": BASE + ["victim_name", "case_summary", "violence_forms", "tpks_forms", "incident_dates",
                               "relationship", "perpetrator_identifiers", "risk_level", "evidence"],
    "kesehatan": BASE + ["victim_name", "violence_forms", "incident_dates"],
    "rumah-aman": BASE + ["victim_name", "risk_level"],
    "rehabilitasi-sosial": BASE + ["case_summary", "violence_forms"],
    "reintegrasi-sosial": BASE,
    "pemulangan": BASE + ["victim_name"],
    "pendampingan-tokoh-agama": BASE,
    "pemberdayaan-ekonomi": BASE,
    "mediasi": BASE + ["case_summary", "relationship"],
    "pengaduan": BASE,
}


def package_fields(service: str) -> list[str]:
    return PACKAGES.get(service, BASE)


def services_with_evidence() -> list[str]:
    """Services whose partners may receive evidence files (when the consent also includes them)."""
    return [service for service, fields in PACKAGES.items() if "evidence" in fields]


def build_package(referral: Any) -> list[tuple[str, str, Any]]:
    """``[(field, label, value), ...]`` for the referral's service; values already decrypted."""
    case = referral.case
    victim_link = case.participants.filter(role="victim").select_related("person").first()
    person = victim_link.person if victim_link else None
    incidents = list(case.incidents.prefetch_related("violence_forms", "tpks_forms").order_by("occurred_on"))
    values: dict[str, Any] = {}
    values["victim_alias"] = (person.alias or (person.full_name.split(" ")[0] if person.full_name else "")) if person else ""
    values["victim_name"] = person.full_name if person else ""
    values["victim_sex"] = codelists.label("sex", person.sex) if person else ""
    values["victim_age_group"] = codelists.label("age_group", victim_link.age_group) if victim_link and victim_link.age_group else ""
    values["victim_is_child"] = _("Ya") if victim_link and victim_link.is_child else _("Tidak")
    values["contact"] = person.phone if person else ""
    values["case_summary"] = case.summary
    values["violence_forms"] = ", ".join(sorted({c.label for i in incidents for c in i.violence_forms.all()}))
    values["tpks_forms"] = ", ".join(sorted({c.label for i in incidents for c in i.tpks_forms.all()}))
    values["incident_dates"] = ", ".join(i.occurred_on.isoformat() for i in incidents if i.occurred_on)
    values["relationship"] = ", ".join(
        sorted({codelists.label("relationship", i.relationship) for i in incidents if i.relationship})
    )
    perpetrator_ids: list[str] = []
    for link in case.participants.filter(role="perpetrator").select_related("person"):
        perpetrator_ids += [f"{x.kind}: {x.value}" for x in link.person.identifiers.all()]
        if link.person.phone:
            perpetrator_ids.append(f"phone: {link.person.phone}")
    for report in case.reports.all():
        perpetrator_ids += [f"{x.kind}: {x.value}" for x in report.identifiers.all()]
    values["perpetrator_identifiers"] = "; ".join(sorted(set(perpetrator_ids)))
    values["risk_level"] = case.get_risk_level_display() if case.risk_level else ""
    consent = referral.consent
    if consent is not None and consent.include_evidence and consent.withdrawn_at is None:
        count = sum(1 for r in case.reports.all() for e in r.evidence.all() if e.hidden_at is None)
        values["evidence"] = _("%(count)s berkas, dapat dibuka setelah rujukan diterima") % {"count": count}
    else:
        values["evidence"] = _("Tidak termasuk dalam persetujuan korban")
    return [(f, str(FIELD_LABELS[f]), values.get(f, "")) for f in package_fields(referral.service)]
