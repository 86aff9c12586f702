"""Reads for staff pages: querysets already scoped by ``cases.access`` / ``intake.access`` (listing is not a read of content)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salingsapa.cases.access import cases_for
from salingsapa.cases.models import (
    Case,
    CasePerson,
    CaseStatus,
    ClosureRequest,
    Deadline,
    Person,
    PersonIdentifier,
    ServicePlan,
)
from salingsapa.core.filtering import filter_given, place_lookups
from salingsapa.core.identifiers import identifier_lookup_index
from salingsapa.intake.access import reports_for
from salingsapa.intake.models import Report, ReportIdentifier, ReportMessage
from salingsapa.intake.selectors import OPEN_REPORT_STATUSES

__all__ = ["OPEN_REPORT_STATUSES", "identifier_lookup_index"]

CASE_NUMBER = re.compile(r"[A-Za-z]{2,8}-\d{4}-\d{4,7}")  # SRG-2025-0064: a whole case number


@dataclass
class CaseFilters:
    number: str = ""
    status: str = ""
    risk: str = ""
    violence_form: str = ""
    kecamatan: str = ""
    kelurahan: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    identifier_kind: str = ""  # "phone" | "nik"
    identifier: str = ""
    manager: str = ""  # "me" | "none" | user id


def case_list(*, user: Any, filters: CaseFilters) -> QuerySet[Case]:
    qs = cases_for(user).select_related("case_manager", "kelurahan", "kelurahan__parent")
    joined = False  # DISTINCT only when a filter joins to-many rows: it defeats the ordered index scan
    if filters.number:
        number = filters.number.strip()
        if CASE_NUMBER.fullmatch(number):
            qs = qs.filter(number__in={number, number.upper()})  # a whole number: the unique index
        else:
            qs = qs.filter(number__icontains=number)
    if filters.status == "open":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    else:
        qs = filter_given(qs, status=filters.status)
    qs = filter_given(
        qs,
        risk_level=filters.risk,
        **place_lookups(kelurahan=filters.kelurahan, kecamatan=filters.kecamatan),
        reported_at__date__gte=filters.date_from,
        reported_at__date__lte=filters.date_to,
    )
    if filters.violence_form:
        qs = qs.filter(incidents__violence_forms__list="violence_form",
                       incidents__violence_forms__slug=filters.violence_form)
        joined = True
    if filters.manager == "me":
        qs = qs.filter(case_manager=user)
    elif filters.manager == "none":
        qs = qs.filter(case_manager__isnull=True)
    elif filters.manager.isdigit():
        qs = qs.filter(case_manager_id=int(filters.manager))
    if filters.identifier and filters.identifier_kind in {"phone", "nik"}:
        index = identifier_lookup_index(filters.identifier_kind, filters.identifier)
        qs = qs.filter(pk__in=case_ids_with_identifier(index))
    if joined:
        qs = qs.distinct()
    return qs.order_by("-reported_at", "-id")


def case_ids_with_identifier(index: str) -> list[int]:
    """The cases in which a blind index (phone, NIK, handle) appears: on a person or on a report.

    Five lookups, each on its own index, instead of one query OR-ing five joins (which PostgreSQL can
    only answer by joining everything: seconds at 100,000 cases)."""
    if not index:
        return []
    people = set(Person.objects.filter(Q(phone_index=index) | Q(nik_index=index)).values_list("pk", flat=True))
    people |= set(PersonIdentifier.objects.filter(value_index=index).values_list("person_id", flat=True))
    cases = set(CasePerson.objects.filter(person_id__in=people).values_list("case_id", flat=True)) if people else set()
    cases |= set(Report.objects.filter(contact_phone_index=index, case__isnull=False).values_list("case_id", flat=True))
    cases |= set(ReportIdentifier.objects.filter(value_index=index, report__case__isnull=False)
                 .values_list("report__case_id", flat=True))
    return sorted(cases)


def first_contact_deadlines(reports: list[Report]) -> dict[int, Deadline]:
    rows = Deadline.objects.filter(report__in=reports, kind=Deadline.Kind.FIRST_CONTACT)
    return {d.report_id: d for d in rows if d.report_id is not None}


def case_matches(*, user: Any, report: Report, days: int = 30) -> list[tuple[Case, str]]:
    """Cases this report may belong to: same phone/NIK/handle (blind index), or same kelurahan and close dates."""
    visible = cases_for(user)
    found: dict[int, tuple[Case, str]] = {}
    indexes = [i.value_index for i in report.identifiers.all()]
    if report.contact_phone_index:
        indexes.append(report.contact_phone_index)
    if indexes:
        by_person = visible.filter(
            Q(participants__person__phone_index__in=indexes)
            | Q(participants__person__nik_index__in=indexes)
            | Q(participants__person__identifiers__value_index__in=indexes)
        ).distinct()
        for case in by_person:
            found.setdefault(case.pk, (case, "Nomor telepon/NIK/akun sama dengan orang dalam kasus ini"))
        person_ids = PersonIdentifier.objects.filter(value_index__in=indexes).values_list("person_id", flat=True)
        for case in visible.filter(participants__person_id__in=list(person_ids)).distinct():
            found.setdefault(case.pk, (case, "Identitas pelaku sama"))
        by_report = visible.filter(
            Q(reports__contact_phone_index__in=indexes) | Q(reports__identifiers__value_index__in=indexes)
        ).distinct()
        for case in by_report:
            found.setdefault(case.pk, (case, "Nomor/akun sama dengan pengaduan sebelumnya di kasus ini"))
    if report.kelurahan_id:
        window = dt.timedelta(days=days)
        nearby = visible.filter(
            kelurahan_id=report.kelurahan_id,
            reported_at__gte=report.received_at - window,
            reported_at__lte=report.received_at + window,
        )
        if report.violence_forms:
            nearby = nearby.filter(incidents__violence_forms__slug__in=report.violence_forms).distinct()
        for case in nearby[:10]:
            found.setdefault(case.pk, (case, "Kelurahan sama, tanggal berdekatan, bentuk kekerasan sama"))
    return list(found.values())[:20]


def overdue_deadlines(*, user: Any) -> QuerySet[Deadline]:
    now = timezone.now()
    return (
        Deadline.objects.filter(met_at__isnull=True, due_at__lt=now)
        .filter(Q(case__in=cases_for(user)) | Q(case__isnull=True, report__in=reports_for(user)))
        .select_related("case", "report")
        .order_by("due_at")
    )


def open_deadlines_for_case(case: Case) -> QuerySet[Deadline]:
    return Deadline.objects.filter(Q(case=case) | Q(report__case=case)).distinct().order_by("met_at", "due_at")


def supervisor_overview(*, user: Any) -> dict[str, Any]:
    open_cases = cases_for(user).exclude(status=CaseStatus.CLOSED).select_related("case_manager")
    return {
        "overdue": list(overdue_deadlines(user=user)[:50]),
        "unassigned": list(open_cases.filter(case_manager__isnull=True).order_by("reported_at")[:50]),
        "high_risk": list(open_cases.filter(risk_level="high").order_by("reported_at")[:50]),
        "plans_pending": list(
            ServicePlan.objects.filter(case__in=cases_for(user), status=ServicePlan.Status.PENDING)
            .select_related("case", "submitted_by").order_by("submitted_at")
        ),
        "closures_pending": list(
            ClosureRequest.objects.filter(case__in=cases_for(user), status=ClosureRequest.Status.PENDING)
            .select_related("case", "requested_by").order_by("requested_at")
        ),
    }


def caseloads(*, user: Any) -> list[dict[str, Any]]:
    """Open cases per case manager (and unassigned), with how many are high risk."""

    rows = (
        cases_for(user).exclude(status=CaseStatus.CLOSED)
        .values("case_manager_id", "case_manager__username", "case_manager__first_name", "case_manager__last_name")
        .annotate(open=Count("id"), high=Count("id", filter=Q(risk_level="high")))
        .order_by("-open")
    )
    result: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = dict(row)
        full = f"{item.pop('case_manager__first_name') or ''} {item.pop('case_manager__last_name') or ''}".strip()
        item["case_manager_name"] = full or item["case_manager__username"] or ""  # a full name, not the login
        result.append(item)
    return result


def unread_reporter_messages(reports: list[Report]) -> dict[int, int]:


    rows = (
        ReportMessage.objects.filter(report__in=reports, sender=ReportMessage.Sender.REPORTER,
                                     read_by_staff_at__isnull=True)
        .values("report_id").annotate(n=Count("id"))
    )
    return {row["report_id"]: row["n"] for row in rows}


# --- workflow guidance ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NextStep:
    """What the case needs next, for the "Langkah berikutnya" panel of the case page.

    ``action``: ``transition`` (a button moving the case to ``to_status``), ``risk`` (the risk form),
    ``plan`` (the plan form), ``decide_plan`` / ``decide_closure`` (the supervisor's decision on the page),
    ``closure`` (the closure request on the page), ``reopen``, or ``wait`` (nothing to do but wait).
    """

    key: str
    title: Any  # lazy translation
    hint: Any
    action: str
    to_status: str = ""


def case_next_step(case: Case, *, user: Any) -> NextStep:
    status = case.status
    if status == CaseStatus.NEW:
        return NextStep("start_assessment", _("Mulai asesmen"),
                        _("Kasus baru dibuka. Pindahkan ke tahap Asesmen, lalu isi asesmen risiko."),
                        "transition", CaseStatus.ASSESSMENT)
    if status == CaseStatus.ASSESSMENT:
        if not case.risk_assessments.exists():
            return NextStep("risk_assessment", _("Isi asesmen risiko"),
                            _("Rencana intervensi disusun setelah asesmen risiko."), "risk")
        return NextStep("start_planning", _("Lanjut ke rencana intervensi"),
                        _("Asesmen risiko sudah ada. Pindahkan ke tahap Rencana intervensi."),
                        "transition", CaseStatus.PLANNING)
    if status == CaseStatus.PLANNING:
        plan = case.plans.first()
        if plan is None or plan.status == ServicePlan.Status.REJECTED:
            return NextStep("write_plan", _("Susun rencana intervensi"),
                            _("Tuliskan tujuan, langkah, dan layanan; rencana kasus risiko tinggi dan kasus kekerasan "
                              "seksual terhadap anak menunggu persetujuan supervisor."), "plan")
        if plan.status == ServicePlan.Status.PENDING:
            if getattr(user, "is_supervisor", False) and plan.submitted_by_id != user.pk:
                return NextStep("decide_plan", _("Putuskan rencana intervensi"),
                                _("Rencana menunggu keputusan Anda (setujui atau tolak dengan alasan)."), "decide_plan")
            return NextStep("wait_plan_approval", _("Menunggu persetujuan supervisor"),
                            _("Rencana intervensi sudah diajukan; layanan dimulai setelah disetujui."), "wait")
        return NextStep("start_service", _("Mulai layanan"),
                        _("Rencana intervensi disetujui. Pindahkan ke tahap Layanan, lalu rujuk ke mitra bila perlu."),
                        "transition", CaseStatus.IN_SERVICE)
    if status == CaseStatus.IN_SERVICE:
        return NextStep("start_monitoring", _("Lanjut ke pemantauan"),
                        _("Catat layanan dan rujukan. Bila layanan utama selesai, pindahkan ke tahap Pemantauan."),
                        "transition", CaseStatus.MONITORING)
    if status == CaseStatus.MONITORING:
        closure = case.closure_requests.filter(status=ClosureRequest.Status.PENDING).first()
        if closure is None:
            return NextStep("request_closure", _("Ajukan terminasi"),
                            _("Bila tujuan layanan tercapai, ajukan terminasi dengan alasan ke supervisor."), "closure")
        if getattr(user, "is_supervisor", False) and closure.requested_by_id != user.pk:
            return NextStep("decide_closure", _("Putuskan terminasi"),
                            _("Permohonan terminasi menunggu keputusan Anda."), "decide_closure")
        return NextStep("wait_closure_approval", _("Menunggu persetujuan terminasi"),
                        _("Permohonan terminasi sudah diajukan ke supervisor."), "wait")
    return NextStep("reopen", _("Kasus sudah diterminasi"),
                    _("Bila ada kekerasan baru atau kebutuhan layanan, buka kembali kasus dengan alasan."), "reopen")
