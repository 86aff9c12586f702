"""The demo's casework history: first-contact and UU TPKS Pasal 41 clocks, consents, referrals to partners and
the services they delivered — so the staff dashboard's deadline-compliance and referral figures are not empty
for a newcomer, and a partner's inbox has work in it.

Two parts:

* **History** (the cases of 2024–2025 that ``seed.write_batch`` writes in bulk): the services stamp the
  present, so these rows are built here by the services' own rules — due times from ``cases.sla`` (working
  days and holidays for low risk, 72 hours for the police clock), ``respond_by`` from
  ``network.services.REFERRAL_RESPONSE_HOURS``, a referral only with a consent that names its organisation and
  service, a child's consent given by a parent — and inserted with ``demo.bulk.bulk_insert`` with the case
  batch (so ``seed-demo --cases 100000`` stays one bulk path). Most clocks are met in time, some late, a few
  of the newest still open; most referrals are answered in time, some declined.
* **Now** (``live_casework``): the reports waiting in the intake queue get their first-contact clocks, and a
  few open cases get a consent and a referral through ``network.services`` (with the partners' alerts and
  timeline entries those write), one of them accepted by the partner.

A separate random stream (``Context.casework_rng``) keeps the rest of the demo data as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from salingsapa.cases import sla
from salingsapa.cases.models import Case, CasePerson, Deadline
from salingsapa.cases.services import deadline_first_contact_ensure
from salingsapa.demo.bulk import new
from salingsapa.intake.models import Report
from salingsapa.network import services as network_services
from salingsapa.network.models import Consent, Referral, ServiceDelivery

# Which partner service a case needs, by form of violence: (service, probability)
NEEDS: dict[str, tuple[tuple[str, float], ...]] = {
    "seksual": (("psikologis", 0.8), ("penegakan-hukum", 0.45), ("kesehatan", 0.35), ("bantuan-hukum", 0.2)),
    "fisik": (("kesehatan", 0.5), ("bantuan-hukum", 0.25), ("psikologis", 0.3)),
    "psikis": (("psikologis", 0.6), ("bantuan-hukum", 0.1)),
    "penelantaran": (("rehabilitasi-sosial", 0.6),),
    "eksploitasi": (("penegakan-hukum", 0.5), ("rehabilitasi-sosial", 0.5)),
    "trafficking": (("penegakan-hukum", 0.7), ("rehabilitasi-sosial", 0.6)),
}
# Which demo organisation gives it (keys of seed.ORGANISATIONS)
PROVIDER = {"psikologis": "psychology", "penegakan-hukum": "police", "kesehatan": "rsud",
            "bantuan-hukum": "legal", "rehabilitasi-sosial": "social"}
DELIVERY = {"psikologis": ("sesi-konseling", "asesmen-psikologis"), "penegakan-hukum": ("laporan-polisi",),
            "kesehatan": ("pemeriksaan-medis", "visum"), "bantuan-hukum": ("konsultasi-hukum", "pendampingan-hukum"),
            "rehabilitasi-sosial": ("rumah-aman", "lainnya")}
DELIVERY_NOTES = {
    "sesi-konseling": "Sesi konseling; korban mulai dapat menceritakan kejadian dan tidur lebih teratur.",
    "asesmen-psikologis": "Asesmen psikologis awal; gejala kecemasan sedang, dianjurkan konseling mingguan.",
    "laporan-polisi": "Laporan polisi diterima; BAP korban dengan pendamping UPTD PPA.",
    "pemeriksaan-medis": "Pemeriksaan medis; luka memar ditangani, kontrol satu minggu lagi.",
    "visum": "Visum et repertum dilakukan atas permintaan penyidik.",
    "konsultasi-hukum": "Konsultasi hukum dengan korban dan keluarga tentang pilihan proses pidana.",
    "pendampingan-hukum": "Pendampingan pada pemeriksaan di kepolisian.",
    "rumah-aman": "Korban ditempatkan sementara di rumah aman.",
    "lainnya": "Koordinasi dengan kelurahan untuk dukungan keluarga.",
}
DECLINE = ("Kapasitas layanan bulan ini penuh; mohon rujuk ke mitra lain.",
           "Domisili korban di luar wilayah layanan kami.")
OUTCOME = ("Layanan selesai; tujuan pendampingan tercapai.",
           "Korban menyelesaikan rangkaian sesi dan dirujuk balik ke UPTD PPA untuk pemantauan.")
CHILD_VIEW = "Anak bersedia ditemui bila didampingi ibunya."
# Share of clocks met late / never met (the newest cases only) — believable, not perfect
LATE = {"high": 0.22, "medium": 0.14, "low": 0.08}


@dataclass
class History:
    """Rows for one batch, in insertion order (each list refers to objects of the earlier ones)."""

    deadlines: list[Any] = field(default_factory=list)
    consents: list[Any] = field(default_factory=list)
    referrals: list[Any] = field(default_factory=list)
    deliveries: list[Any] = field(default_factory=list)


def _met(rng: random.Random, start: dt.datetime, due: dt.datetime, risk: str, horizon: dt.datetime,
         open_allowed: bool) -> dt.datetime | None:
    if open_allowed and rng.random() < 0.3:
        return None
    allowed = due - start
    if rng.random() < LATE.get(risk, 0.1):
        met = due + dt.timedelta(minutes=rng.randint(10, 36 * 60))
    else:
        met = start + allowed * rng.uniform(0.1, 0.95)
    return min(met, horizon)


def police_plan(rng: random.Random, *, sexual: bool, opened: dt.datetime, reported: dt.datetime,
                horizon: dt.datetime) -> tuple[bool | None, dt.datetime | None]:
    """(the victim's consent to a police report, when it was passed to the police) for a new demo case."""
    if not sexual:
        return None, None
    if rng.random() < 0.3:
        return False, None
    due = sla.tpks_police_due(reported_at=reported)
    if rng.random() < 0.18:
        reported_on = due + dt.timedelta(hours=rng.randint(2, 96))
    else:
        reported_on = max(opened, reported) + (due - max(opened, reported)) * rng.uniform(0.1, 0.9)
    return True, (reported_on if reported_on < horizon else None)


def history_rows(rng: random.Random, *, cases: list[Case], reports: list[Report], victims: list[Any],
                 forms: list[tuple[str, ...]], orgs: dict[str, Any], partners: dict[str, Any],
                 horizon: dt.datetime) -> History:
    """Clocks, consents, referrals and deliveries for freshly written cases (``cases[i]`` came from
    ``reports[i]``; ``victims[i]`` is its victim ``CasePerson``; ``forms[i]`` its forms of violence)."""
    out = History()
    response = dt.timedelta(hours=network_services.REFERRAL_RESPONSE_HOURS)
    for case, report, victim, case_forms in zip(cases, reports, victims, forms, strict=True):
        fresh = (horizon - case.reported_at).days < 21 and case.status in ("new", "assessment")
        risk = sla.effective_risk(case.risk_level, emergency=case.is_emergency)
        due = sla.first_contact_due(start=report.received_at, risk_level=risk)
        met = _met(rng, report.received_at, due, risk, horizon, open_allowed=fresh)
        out.deadlines.append(new(Deadline,
            kind=Deadline.Kind.FIRST_CONTACT, report=report, case=case, risk_level=risk, starts_at=report.received_at,
            due_at=due, met_at=met, met_by=case.case_manager if met else None, created_at=report.received_at,
            escalated_at=due + dt.timedelta(minutes=5) if (met is None or met > due) and due < horizon else None,
        ))
        if case.police_report_consent:
            tpks_due = sla.tpks_police_due(reported_at=case.reported_at)
            out.deadlines.append(new(Deadline,
                kind=Deadline.Kind.TPKS_POLICE, case=case, risk_level=case.risk_level, starts_at=case.reported_at,
                due_at=tpks_due, met_at=case.police_reported_at,
                met_by=case.case_manager if case.police_reported_at else None, created_at=case.opened_at,
                escalated_at=(tpks_due + dt.timedelta(minutes=5) if tpks_due < horizon and (
                    case.police_reported_at is None or case.police_reported_at > tpks_due) else None),
            ))
        if case.status in ("new", "assessment"):
            continue
        services = sorted({service for form in case_forms for service, p in NEEDS.get(form, ()) if rng.random() < p})
        for service in services[:3]:
            _referral(rng, out, case=case, victim=victim, service=service, org=orgs[PROVIDER[service]],
                      partner=partners.get(PROVIDER[service]), response=response, horizon=horizon)
    return out


def _referral(rng: random.Random, out: History, *, case: Case, victim: Any, service: str, org: Any, partner: Any,
              response: dt.timedelta, horizon: dt.datetime) -> None:
    end = min(case.closed_at or horizon, horizon)
    created = case.opened_at + dt.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8))
    if created >= end:
        created = case.opened_at + (end - case.opened_at) / 3
    child = victim.is_child
    consent = new(Consent,
        case=case, victim=victim.person, recipient_organisation=org, services=[service],
        purpose="Rujukan layanan sesuai rencana intervensi.", given_by="parent" if child else "victim",
        given_by_name="Orang tua korban" if child else "", child_view=CHILD_VIEW if child else "",
        given_at=created - dt.timedelta(hours=rng.randint(1, 24)),
        recorded_by=case.case_manager, include_evidence=service in ("penegakan-hukum", "bantuan-hukum"),
    )
    out.consents.append(consent)
    weights = {"planning": {"sent": 70, "accepted": 30},
               "in_service": {"accepted": 70, "sent": 12, "declined": 18},
               "monitoring": {"completed": 65, "accepted": 25, "declined": 10},
               "closed": {"completed": 85, "declined": 15}}[case.status]
    status = rng.choices(list(weights), list(weights.values()))[0]
    respond_by = created + response
    responded = None
    if status != "sent":
        late = rng.random() < 0.15
        responded = (respond_by + dt.timedelta(hours=rng.randint(2, 72)) if late
                     else created + response * rng.uniform(0.05, 0.9))
        responded = min(responded, end)
    referral = new(Referral,
        case=case, organisation=org, service=service, status=status, consent=consent,
        note_to_partner="Mohon jadwalkan layanan; hubungi manajer kasus sebelum menghubungi korban.",
        created_by=case.case_manager, created_at=created, respond_by=respond_by, responded_at=responded,
        responded_by=partner if responded else None,
        decline_reason=rng.choice(DECLINE) if status == "declined" else "",
    )
    if status == "completed" and responded is not None:
        referral.completed_at = min(responded + dt.timedelta(days=rng.randint(14, 75)), end)
        referral.outcome = rng.choice(OUTCOME)
    out.referrals.append(referral)
    if status in ("accepted", "completed") and responded is not None and partner is not None:
        last = referral.completed_at or end
        for _ in range(rng.randint(1, 4)):
            when = responded + (last - responded) * rng.uniform(0.05, 1)
            kind = rng.choice(DELIVERY[service])
            out.deliveries.append(new(ServiceDelivery,
                referral=referral, delivered_on=timezone.localtime(when).date(), kind=kind,
                summary=DELIVERY_NOTES[kind], recorded_by=partner, recorded_at=when,
            ))


def live_casework(*, orgs: dict[str, Any], users: dict[str, Any], limit: int = 3) -> dict[str, int]:
    """The present: clocks for the reports waiting in the queue, and referrals of a few open cases sent now
    through the services (consent first), one of them accepted by the partner. Idempotent."""
    counts = {"clocks": 0, "referrals": 0}
    for report in Report.objects.filter(status__in=[Report.Status.NEW, Report.Status.IN_REVIEW],
                                        deadlines__isnull=True):
        deadline_first_contact_ensure(report=report)
        counts["clocks"] += 1
    open_cases = (Case.objects.filter(status="in_service", organisation=orgs["uptd"])
                  .filter(~Q(referrals__status__in=Referral.ACTIVE)).order_by("-reported_at")[:limit])
    for i, case in enumerate(open_cases):
        victim = case.participants.filter(role=CasePerson.Role.VICTIM).select_related("person").first()
        if victim is None or case.case_manager is None:
            continue
        service, org_key = ("psikologis", "psychology") if i % 2 == 0 else ("bantuan-hukum", "legal")
        manager = case.case_manager
        child = victim.is_child
        network_services.consent_record(
            actor=manager, case=case, victim=victim.person, given_by="parent" if child else "victim",
            given_by_name="Orang tua korban" if child else "", child_view=CHILD_VIEW if child else "",
            services=[service], recipient_organisation=orgs[org_key])
        referral = network_services.referral_create(actor=manager, case=case, organisation=orgs[org_key],
                                                    service=service)
        if i == 0 and users.get("psikolog") is not None:
            network_services.referral_accept(actor=users["psikolog"], referral=referral)
        counts["referrals"] += 1
    return counts
