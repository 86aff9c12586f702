"""Staff pages: dashboard, intake queue and staff intake, case record, caseloads, supervisor view.

Views are thin: they parse forms, fetch records only through the domains' ``access_*`` helpers (audited) and call
``cases.services`` / ``staff.services``. Refusals come back as Bahasa Indonesia messages.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salingsapa.cases import selectors, services
from salingsapa.cases.access import access_case, cases_for
from salingsapa.cases.models import (
    Alert,
    Case,
    CasePerson,
    CaseStatus,
    ClosureRequest,
    Deadline,
    ServicePlan,
    Task,
)
from salingsapa.cases.risk import ADULT_ITEMS, CHILD_ITEMS, HIGH_RISK_RULES
from salingsapa.cases.services import CaseConflict, CaseError
from salingsapa.cases.sla import clock_label
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.intake import selectors as intake_selectors
from salingsapa.intake.access import access_report, reports_for
from salingsapa.intake.models import Evidence, Report
from salingsapa.intake.schema import ReportInvalid
from salingsapa.intake.services import report_create
from salingsapa.staff import forms as f
from salingsapa.staff import services as staff_services
from salingsapa.staff.common import first_error, page_of
from salingsapa.staff.decorators import casework_required, staff_required, supervisor_required


def _labels(list_name: str, slugs: list[str]) -> list[str]:
    return [codelists.label(list_name, s) for s in slugs or []]


def _clock(deadline: Deadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    overdue = deadline.met_at is None and deadline.due_at < timezone.now()
    return {"deadline": deadline, "label": clock_label(deadline.due_at, met_at=deadline.met_at), "overdue": overdue}


# --- dashboard and alerts -----------------------------------------------------------------------


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {
        "alerts": Alert.objects.filter(recipient_id=user.pk, read_at__isnull=True).select_related("case")[:10],
        "tasks": Task.objects.filter(assigned_to=user, status=Task.Status.OPEN, case__in=cases_for(user))
        .select_related("case")[:20],
    }
    if user.is_lead_agency_staff:
        context["queue_count"] = intake_selectors.intake_queue(user=user).count()
        context["my_cases"] = cases_for(user).filter(case_manager=user).exclude(status=CaseStatus.CLOSED).count()
        context["overdue_count"] = selectors.overdue_deadlines(user=user).count()
    return render(request, "staff/dashboard.html", context)


@staff_required
def alerts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.alerts_mark_read(actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Semua peringatan ditandai sudah dibaca."))
        return redirect("staff:alerts")
    rows = Alert.objects.filter(recipient_id=request.user.pk).select_related("case", "report")
    return render(request, "staff/alerts.html", {"page": page_of(request, rows)})


# --- intake -------------------------------------------------------------------------------------


@casework_required
def intake_new(request: HttpRequest) -> HttpResponse:
    """Staff intake of a phone call, walk-in or mobile-visit disclosure, through ``intake.services.report_create``
    (intake's one report schema, as for every other channel); the officer's urgency and risk are applied as triage."""
    form = f.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = report_create(data=form.report_data(), channel=data["channel"], created_by=request.user)
        except ReportInvalid as exc:
            form.add_report_errors(exc.field_errors)
        else:
            report = receipt.report
            if data["is_emergency"] or data["risk_level"]:
                staff_services.report_triage(actor=request.user, report=report, risk_level=data["risk_level"],
                                             is_emergency=data["is_emergency"] or report.is_emergency)
            # Rendered, not redirected: the codename is shown once and never stored in a cookie or a URL.
            return render(request, "staff/intake_done.html", {"report": report, "codename": receipt.codename})
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/intake_form.html", {"form": form}, status=status)


def _filters(request: HttpRequest) -> tuple[f.ListFilterForm, dict[str, Any]]:
    form = f.ListFilterForm(request.GET or None, organisation_id=getattr(request.user, "organisation_id", None))
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    if data.get("identifier") is None:
        data.pop("identifier_kind", None)
    return form, data


@casework_required
def queue(request: HttpRequest) -> HttpResponse:
    form, data = _filters(request)
    qs = intake_selectors.intake_queue(
        user=request.user, channel=data.get("channel", ""), risk=data.get("risk", ""),
        kelurahan=data.get("kelurahan", ""), kecamatan=data.get("kecamatan", ""),
        violence_form=data.get("violence_form", ""), date_from=data.get("date_from"), date_to=data.get("date_to"),
        identifier_kind=data.get("identifier_kind", ""), identifier=data.get("identifier", ""),
    )
    page = page_of(request, qs)
    reports = list(page.object_list)
    deadlines = selectors.first_contact_deadlines(reports)
    unread = selectors.unread_reporter_messages(reports)
    rows = [{"report": r, "clock": _clock(deadlines.get(r.pk)), "forms": _labels("violence_form", r.violence_forms),
             "unread": unread.get(r.pk, 0)} for r in reports]
    return render(request, "staff/queue.html", {"form": form, "page": page, "rows": rows})


def _report_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    deadline = Deadline.objects.filter(report=report, kind=Deadline.Kind.FIRST_CONTACT).first()
    context = {
        "report": report,
        "is_open": report.status in selectors.OPEN_REPORT_STATUSES and report.case_id is None,
        "clock": _clock(deadline),
        "violence_forms": _labels("violence_form", report.violence_forms),
        "tpks_forms": _labels("tpks_form", report.tpks_forms),
        "identifiers": list(report.identifiers.all()),
        "evidence": list(report.evidence.select_related("report", "hidden_by")),
        "thread": list(report.messages.select_related("staff_user")),
        "matches": selectors.case_matches(user=user, report=report) if report.case_id is None else [],
        "labels": {
            "reporter_role": codelists.label("reporter_role", report.reporter_role),
            "sex": codelists.label("sex", report.victim_sex),
            "age_group": codelists.label("age_group", report.victim_age_group),
            "place": codelists.label("place", report.place) if report.place else "",
            "relationship": codelists.label("relationship", report.relationship) if report.relationship else "",
            "preferred_channel": codelists.label("preferred_channel", report.preferred_channel)
            if report.preferred_channel else "",
        },
        "triage_form": f.TriageForm(initial={"risk_level": report.risk_level, "is_emergency": report.is_emergency},
                                    auto_id="triage_%s"),
        "open_form": f.OpenCaseForm(organisation_id=user.organisation_id, auto_id="open_%s"),
        "attach_form": f.AttachForm(auto_id="attach_%s"),
        "not_violence_form": f.NotViolenceForm(auto_id="notviolence_%s"),
        "refer_form": f.ReferOutForm(auto_id="refer_%s"),
        "reply_form": f.ReplyForm(auto_id="reply_%s"),
    }
    context.update(extra)
    return context


@casework_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    context = _report_context(request, report)
    staff_services.report_messages_mark_read(actor=request.user, report=report)
    return render(request, "staff/report.html", context)


@casework_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    report = access_report(user, pk, purpose=f"action:{action}")
    try:
        if action == "triase":
            form: Any = f.TriageForm(request.POST)
            if not form.is_valid():
                raise first_error(form)
            staff_services.report_triage(actor=user, report=report, risk_level=form.cleaned_data["risk_level"],
                                         is_emergency=form.cleaned_data["is_emergency"])
            messages.success(request, _("Triase disimpan; tenggat disesuaikan."))
        elif action == "buka-kasus":
            form = f.OpenCaseForm(request.POST, organisation_id=user.organisation_id)
            if not form.is_valid():
                raise first_error(form)
            case = services.case_open(actor=user, report=report, case_manager=form.cleaned_data["case_manager"])
            messages.success(request, _("Kasus %(number)s dibuka.") % {"number": case.number})
            return redirect("staff:case", pk=case.pk)
        elif action == "gabung":
            number = request.POST.get("case_number", "").strip()
            case_id = cases_for(user).filter(number__iexact=number).values_list("pk", flat=True).first()
            if case_id is None:
                raise CaseError(_("Nomor kasus tidak ditemukan."), field="case_number")
            case = access_case(user, case_id, purpose="attach_report")
            services.report_attach(actor=user, report=report, case=case)
            messages.success(request, _("Pengaduan digabungkan ke kasus %(number)s.") % {"number": case.number})
            return redirect("staff:case", pk=case.pk)
        elif action == "bukan-kekerasan":
            form = f.NotViolenceForm(request.POST)
            if not form.is_valid():
                raise first_error(form)
            staff_services.report_mark_not_violence(actor=user, report=report, reason=form.cleaned_data["reason"])
            messages.success(request, _("Pengaduan ditandai bukan kasus kekerasan; alasannya disimpan."))
        elif action == "rujuk-keluar":
            form = f.ReferOutForm(request.POST)
            if not form.is_valid():
                raise first_error(form)
            staff_services.report_refer_out(actor=user, report=report, destination=form.cleaned_data["destination"],
                                            reason=form.cleaned_data["reason"])
            messages.success(request, _("Pengaduan dicatat sebagai dirujuk ke luar wilayah."))
        elif action == "balas":
            form = f.ReplyForm(request.POST)
            if not form.is_valid():
                raise first_error(form)
            staff_services.report_reply(actor=user, report=report, body=form.cleaned_data["body"])
            messages.success(request, _("Pesan terkirim ke utas pelapor."))
        elif action == "kontak-pertama":
            services.first_contact_record(actor=user, report=report)
            messages.success(request, _("Kontak pertama tercatat."))
        else:
            raise Http404
    except CaseError as exc:
        report.refresh_from_db()
        return render(request, "staff/report.html", _report_context(request, report, error=exc), status=400)
    return redirect("staff:report", pk=report.pk)


# --- case lists ---------------------------------------------------------------------------------


def _case_filters(data: dict[str, Any], **overrides: Any) -> selectors.CaseFilters:
    fields = {k: data[k] for k in selectors.CaseFilters.__dataclass_fields__ if k in data}
    fields.update(overrides)
    return selectors.CaseFilters(**fields)


def _case_rows(cases: list[Case]) -> list[dict[str, Any]]:
    now = timezone.now()
    overdue = set(
        Deadline.objects.filter(Q(case__in=cases) | Q(report__case__in=cases), met_at__isnull=True, due_at__lt=now)
        .values_list("case_id", flat=True)
    )
    return [{"case": c, "overdue": c.pk in overdue} for c in cases]


def _case_list(request: HttpRequest, *, title: str, mine: bool) -> HttpResponse:
    form, data = _filters(request)
    overrides = {"manager": "me"} if mine else {}
    if mine and "status" not in data:
        overrides["status"] = "open"
    qs = selectors.case_list(user=request.user, filters=_case_filters(data, **overrides))
    page = page_of(request, qs)
    return render(request, "staff/case_list.html",
                  {"form": form, "page": page, "rows": _case_rows(list(page.object_list)), "title": title, "mine": mine})


@casework_required
def case_list(request: HttpRequest) -> HttpResponse:
    return _case_list(request, title=_("Semua kasus"), mine=False)


@casework_required
def my_cases(request: HttpRequest) -> HttpResponse:
    return _case_list(request, title=_("Kasus saya"), mine=True)


# --- case record --------------------------------------------------------------------------------


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    participants = list(case.participants.select_related("person", "person__kelurahan").prefetch_related(
        "person__identifiers"))
    incidents = list(case.incidents.select_related("kelurahan").prefetch_related("violence_forms", "tpks_forms", "factors"))
    deadlines = [_clock(d) for d in selectors.open_deadlines_for_case(case)]
    version = {"version": case.version}
    plan = case.plans.select_related("submitted_by", "decided_by").first()
    context = {
        "case": case,
        "victims": [p for p in participants if p.role == CasePerson.Role.VICTIM],
        "perpetrators": [p for p in participants if p.role == CasePerson.Role.PERPETRATOR],
        "reporters": [p for p in participants if p.role == CasePerson.Role.REPORTER],
        "incidents": incidents,
        "events": list(case.events.select_related("actor")[:300]),
        "notes": list(case.notes.select_related("author")),
        "tasks": list(case.tasks.select_related("assigned_to")),
        "documents": list(case.documents.select_related("uploaded_by")),
        # Evidence follows its report into the case (opened from it or attached to it).
        "evidence": list(Evidence.objects.filter(report__case=case).select_related("report", "hidden_by")
                         .order_by("uploaded_at", "id")),
        "assessment": case.risk_assessments.select_related("assessed_by").first(),
        "plan": plan,
        "plan_services": _labels("service", plan.services) if plan else [],
        "closure_pending": case.closure_requests.filter(status=ClosureRequest.Status.PENDING)
        .select_related("requested_by").first(),
        "deadlines": deadlines,
        "reports": list(case.reports.all()),
        "transitions": [(s, CaseStatus(s).label) for s in services.allowed_transitions(case)],
        "is_sexual_violence": services._case_is_sexual_violence(case),
        # Several forms share one page: each gets its own id prefix so labels stay unique.
        "transition_form": f.TransitionForm(initial=version, auto_id="status_%s"),
        "assign_form": f.AssignForm(initial={**version, "manager": case.case_manager_id},
                                    organisation_id=case.organisation_id, auto_id="manager_%s"),
        "note_form": f.NoteForm(initial={"occurred_on": timezone.localdate()}, auto_id="note_%s"),
        "task_form": f.TaskForm(organisation_id=case.organisation_id, auto_id="task_%s"),
        "document_form": f.DocumentForm(auto_id="document_%s"),
        "reason_form": f.ReasonForm(initial=version, auto_id="reason_%s"),
        "consent_form": f.ConsentForm(initial=version, auto_id="consent_%s"),
        "plan_decision_form": f.DecisionForm(auto_id="plan_%s"),
        "closure_decision_form": f.DecisionForm(auto_id="closure_%s"),
        "can_approve": user.is_supervisor,
        "next_step": selectors.case_next_step(case, user=user),
        "plan_allowed": case.status in services.PLAN_STAGES,
    }
    context.update(extra)
    return context


@casework_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    return render(request, "staff/case.html", _case_context(request, case))


def _version(request: HttpRequest) -> int:
    form = f.VersionForm(request.POST)
    if not form.is_valid():
        raise CaseError(_("Formulir tidak lengkap: muat ulang halaman."))
    return int(form.cleaned_data["version"])


def _act_transition(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.TransitionForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    services.case_transition(actor=user, case=case, to_status=form.cleaned_data["to_status"],
                             expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"])
    return _("Status kasus menjadi \"%(status)s\".") % {"status": case.get_status_display()}


def _act_assign(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.AssignForm(request.POST, organisation_id=case.organisation_id)
    if not form.is_valid():
        raise first_error(form)
    services.case_assign(actor=user, case=case, manager=form.cleaned_data["manager"],
                         expected_version=form.cleaned_data["version"])
    return _("Manajer kasus disimpan.")


def _act_note(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.NoteForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    services.case_note_add(actor=user, case=case, kind=form.cleaned_data["kind"], body=form.cleaned_data["body"],
                           occurred_on=form.cleaned_data["occurred_on"])
    return _("Catatan disimpan.")


def _act_task(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.TaskForm(request.POST, organisation_id=case.organisation_id)
    if not form.is_valid():
        raise first_error(form)
    services.task_create(actor=user, case=case, title=form.cleaned_data["title"],
                         assigned_to=form.cleaned_data["assigned_to"], due_at=form.cleaned_data["due_at"])
    return _("Tugas dibuat.")


def _act_task_done(request: HttpRequest, user: Any, case: Case) -> str:
    task_id = str(request.POST.get("task", ""))
    task = case.tasks.filter(pk=int(task_id)).first() if task_id.isdigit() else None
    if task is None:
        raise CaseError(_("Tugas tidak ditemukan."))
    services.task_complete(actor=user, task=task)
    return _("Tugas ditandai selesai.")


def _act_document(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise first_error(form)
    upload = form.cleaned_data["file"]
    if upload.size > settings.CASE_DOCUMENT_MAX_BYTES:
        raise CaseError(_("Berkas terlalu besar."), field="file")
    services.case_document_add(actor=user, case=case, data=upload.read(), filename=upload.name or "",
                               content_type=upload.content_type or "", description=form.cleaned_data["description"])
    return _("Dokumen disimpan terenkripsi.")


def _act_close_request(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    services.case_close_request(actor=user, case=case, reason=form.cleaned_data["reason"],
                                expected_version=form.cleaned_data["version"])
    return _("Permohonan terminasi diajukan ke supervisor.")


def _decision(request: HttpRequest) -> tuple[bool, str]:
    form = f.DecisionForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    return form.cleaned_data["decision"] == "approve", form.cleaned_data["note"]


def _act_close_decide(request: HttpRequest, user: Any, case: Case) -> str:
    closure = case.closure_requests.filter(status=ClosureRequest.Status.PENDING).first()
    if closure is None:
        raise CaseError(_("Tidak ada permohonan terminasi yang menunggu."))
    approve, note = _decision(request)
    services.case_close_approve(actor=user, closure=closure, approve=approve, note=note)
    return _("Terminasi disetujui; kasus ditutup.") if approve else _("Permohonan terminasi ditolak.")


def _act_plan_decide(request: HttpRequest, user: Any, case: Case) -> str:
    plan = case.plans.filter(status=ServicePlan.Status.PENDING).first()
    if plan is None:
        raise CaseError(_("Tidak ada rencana intervensi yang menunggu."))
    approve, note = _decision(request)
    services.service_plan_approve(actor=user, plan=plan, approve=approve, note=note)
    return _("Rencana intervensi disetujui.") if approve else _("Rencana intervensi ditolak.")


def _act_reopen(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    services.case_reopen(actor=user, case=case, reason=form.cleaned_data["reason"],
                         expected_version=form.cleaned_data["version"])
    return _("Kasus dibuka kembali.")


def _act_consent(request: HttpRequest, user: Any, case: Case) -> str:
    form = f.ConsentForm(request.POST)
    if not form.is_valid():
        raise first_error(form)
    services.case_police_consent_record(actor=user, case=case, consent=form.cleaned_data["consent"] == "yes",
                                        expected_version=form.cleaned_data["version"])
    return _("Persetujuan korban dicatat.")


def _act_police(request: HttpRequest, user: Any, case: Case) -> str:
    services.case_police_report_record(actor=user, case=case, expected_version=_version(request))
    return _("Pelaporan ke kepolisian dicatat.")


def _act_first_contact(request: HttpRequest, user: Any, case: Case) -> str:
    services.first_contact_record(actor=user, case=case)
    return _("Kontak pertama tercatat.")


CASE_ACTIONS: dict[str, Callable[[HttpRequest, Any, Case], str]] = {
    "status": _act_transition,
    "manajer": _act_assign,
    "catatan": _act_note,
    "tugas": _act_task,
    "tugas-selesai": _act_task_done,
    "dokumen": _act_document,
    "terminasi": _act_close_request,
    "terminasi-keputusan": _act_close_decide,
    "rencana-keputusan": _act_plan_decide,
    "buka-kembali": _act_reopen,
    "persetujuan-polisi": _act_consent,
    "lapor-polisi": _act_police,
    "kontak-pertama": _act_first_contact,
}


@casework_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        raise Http404
    case = access_case(request.user, pk, purpose=f"action:{action}")
    try:
        message = handler(request, request.user, case)
    except CaseError as exc:
        case.refresh_from_db()
        status = 409 if isinstance(exc, CaseConflict) else 400
        return render(request, "staff/case.html", _case_context(request, case, error=exc), status=status)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("staff:case", args=[case.pk]))


@casework_required
def case_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    case = access_case(request.user, pk, purpose="document")
    document = case.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    data = services.case_document_read(actor=request.user, document=document)  # type: ignore[arg-type]

    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=document.original_name or f"dokumen-{document.pk}",
                            content_type=document.content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response


@casework_required
def risk_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk, purpose="risk_assessment")
    form = f.RiskAssessmentForm(request.POST or None, initial={"version": case.version})
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = services.risk_assessment_record(
                    actor=request.user, case=case, answers=form.answers(),  # type: ignore[arg-type]
                    override_level=form.cleaned_data["override_level"],
                    override_reason=form.cleaned_data["override_reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except CaseError as exc:
                error = exc
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Asesmen risiko disimpan: %(level)s.") % {"level": assessment.get_final_level_display()})
                return redirect("staff:case", pk=case.pk)
        else:
            error = first_error(form)
    has_child = case.participants.filter(role=CasePerson.Role.VICTIM, is_child=True).exists()
    status = 200 if error is None else (409 if isinstance(error, CaseConflict) else 400)
    return render(request, "staff/risk_form.html", {"case": case, "form": form, "error": error, "has_child": has_child,
                                                     "adult_items": ADULT_ITEMS, "child_items": CHILD_ITEMS,
                                                     "high_risk_rules": HIGH_RISK_RULES},
                  status=status)


@casework_required
def service_plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk, purpose="service_plan")
    current = case.plans.first()
    if case.status not in services.PLAN_STAGES:
        # Not a usable form at this stage: say why and offer the step that comes next instead.
        blocked = CaseError(_("Rencana intervensi disusun pada tahap \"Rencana intervensi\"; kasus ini masih pada "
                              "tahap \"%(status)s\".") % {"status": case.get_status_display()})
        return render(request, "staff/plan_form.html",
                      {"case": case, "blocked": blocked, "current": current,
                       "next_step": selectors.case_next_step(case, user=request.user)},
                      status=400 if request.method == "POST" else 200)
    initial: dict[str, Any] = {"version": case.version}
    if current is not None:
        initial.update(goals=current.goals, services=current.services)
    form = f.ServicePlanForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = services.service_plan_submit(
                    actor=request.user, case=case, goals=form.cleaned_data["goals"],  # type: ignore[arg-type]
                    services=form.cleaned_data["services"], expected_version=form.cleaned_data["version"],
                )
            except CaseError as exc:
                error = exc
            else:
                messages.success(request, _("Rencana intervensi diajukan; menunggu persetujuan supervisor.")
                                 if plan.status == ServicePlan.Status.PENDING else _("Rencana intervensi disimpan."))
                return redirect("staff:case", pk=case.pk)
        else:
            error = first_error(form)
    status = 200 if error is None else (409 if isinstance(error, CaseConflict) else 400)
    return render(request, "staff/plan_form.html", {"case": case, "form": form, "error": error, "current": current},
                  status=status)


# --- supervisor -------------------------------------------------------------------------------


@supervisor_required
def supervisor(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    open_cases = list(cases_for(user).exclude(status=CaseStatus.CLOSED).select_related("case_manager")
                      .order_by("case_manager_id", "reported_at")[:200])
    form = f.BulkReassignForm(request.POST or None, organisation_id=user.organisation_id,
                              case_choices=[(c.pk, c.number) for c in open_cases])
    if request.method == "POST":
        if form.is_valid():
            cases = [access_case(user, pk, purpose="reassign") for pk in form.cleaned_data["cases"]]
            try:
                count = services.cases_bulk_reassign(actor=user, cases=cases, manager=form.cleaned_data["manager"])
            except CaseError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(count)s kasus dialihkan.") % {"count": count})
            return redirect("staff:supervisor")
        messages.error(request, first_error(form).message)
    overview = selectors.supervisor_overview(user=user)
    overview["caseloads"] = selectors.caseloads(user=user)
    overview["overdue"] = [_clock(d) for d in overview["overdue"]]
    return render(request, "staff/supervisor.html", {**overview, "open_cases": open_cases, "form": form,
                                                     "reports_waiting": reports_for(user).filter(
                                                         status__in=selectors.OPEN_REPORT_STATUSES).count()})


# --- editing incidents and people -----------------------------------------------------------------


def _region(code: str) -> Any:
    return Region.objects.filter(code=code).first() if code else None


def _render_edit(request: HttpRequest, template: str, context: dict[str, Any], error: CaseError | None) -> HttpResponse:
    form = context["form"]
    if error is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    status = 200 if error is None else (409 if isinstance(error, CaseConflict) else 400)
    return render(request, template, {**context, "error": error}, status=status)


@casework_required
def incident_edit(request: HttpRequest, pk: int, incident_pk: int) -> HttpResponse:
    case = access_case(request.user, pk, purpose="edit_incident")
    incident = case.incidents.filter(pk=incident_pk).first()
    if incident is None:
        raise Http404
    initial = {
        "version": case.version, "occurred_on": incident.occurred_on, "kelurahan": incident.kelurahan_id or "",
        "place": incident.place, "relationship": incident.relationship, "met_via": incident.met_via,
        "met_via_platform": incident.met_via_platform, "description": incident.description,
        "violence_forms": [c.slug for c in incident.violence_forms.all()],
        "tpks_forms": [c.slug for c in incident.tpks_forms.all()],
        "factors": [c.slug for c in incident.factors.all()],
    }
    form = f.IncidentForm(request.POST or None, initial=initial)
    error: CaseError | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.incident_update(
                    actor=request.user, case=case, incident=incident,  # type: ignore[arg-type]
                    expected_version=data["version"], occurred_on=data["occurred_on"], place=data["place"],
                    kelurahan=_region(data["kelurahan"]), relationship=data["relationship"], met_via=data["met_via"],
                    met_via_platform=data["met_via_platform"], violence_forms=data["violence_forms"],
                    tpks_forms=data["tpks_forms"], factors=data["factors"], description=data["description"],
                )
            except CaseError as exc:
                error = exc
            else:
                messages.success(request, _("Data kejadian disimpan."))
                return redirect(reverse("staff:case", args=[case.pk]) + "#kejadian")
        else:
            error = first_error(form)
    return _render_edit(request, "staff/edit_form.html",
                        {"case": case, "form": form, "title": _("Ubah data kejadian")}, error)


@casework_required
def person_edit(request: HttpRequest, pk: int, case_person_pk: int | None = None) -> HttpResponse:
    case = access_case(request.user, pk, purpose="edit_person")
    case_person = None
    initial: dict[str, Any] = {"version": case.version, "role": request.GET.get("peran", "perpetrator")}
    if case_person_pk is not None:
        case_person = case.participants.select_related("person").filter(pk=case_person_pk).first()
        if case_person is None:
            raise Http404
        p = case_person.person
        initial.update(role=case_person.role, full_name=p.full_name, alias=p.alias, sex=p.sex, birth_date=p.birth_date,
                       nik=p.nik, phone=p.phone, address=p.address, kelurahan=p.kelurahan_id or "",
                       education=p.education, occupation=p.occupation, marital_status=p.marital_status,
                       disability=p.disability, age_group=case_person.age_group)
    form = f.PersonForm(request.POST or None, initial=initial)
    if case_person is not None:
        form.fields["role"].disabled = True
    error: CaseError | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_person_save(
                    actor=request.user, case=case, expected_version=data["version"],  # type: ignore[arg-type]
                    role=case_person.role if case_person else data["role"], case_person=case_person,
                    full_name=data["full_name"], alias=data["alias"], nik=data["nik"], phone=data["phone"],
                    address=data["address"], birth_date=data["birth_date"], sex=data["sex"],
                    education=data["education"], occupation=data["occupation"],
                    marital_status=data["marital_status"], disability=data["disability"],
                    kelurahan=_region(data["kelurahan"]), age_group=data["age_group"],
                )
            except CaseError as exc:
                error = exc
            else:
                messages.success(request, _("Data orang disimpan."))
                return redirect(reverse("staff:case", args=[case.pk]) + "#orang")
        else:
            error = first_error(form)
    title = _("Ubah data orang") if case_person else _("Tambah orang ke kasus")
    return _render_edit(request, "staff/edit_form.html", {"case": case, "form": form, "title": title}, error)
