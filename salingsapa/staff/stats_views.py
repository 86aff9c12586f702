"""Staff statistics views (the public page is ``public/statistics.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salingsapa.awareness.selectors import reach as awareness_reach
from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.core.dbrouter import replica_reads
from salingsapa.fieldwork.selectors import field_counts
from salingsapa.staff.decorators import casework_required
from salingsapa.stats import charts, selectors, services
from salingsapa.stats import exports as exp
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.forms import ExportForm, FilterForm, ReportForm, SnapshotForm, default_period
from salingsapa.stats.jobs import export_job_create
from salingsapa.stats.models import ExportJob, PublishedSnapshot
from salingsapa.stats.narrative import highlights
from salingsapa.stats.publication import present
from salingsapa.stats.reports import parse_period, render_report_pdf, report_filename
from salingsapa.stats.service_stats import RISK_LABELS

# --- staff -------------------------------------------------------------------------------------


def lead_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with both factors, casework role of the lead agency (the staff app's guard)."""
    return casework_required(view)  # type: ignore[return-value]


def _chart_for(key: str, b: Any, flt: StatsFilter) -> Any:
    if key in ("month", "report_month"):
        return charts.column_chart(
            b.title, [(r.label.split()[0], r.value) for r in b.rows], previous=[r.previous or 0 for r in b.rows],
            legend=(flt.display_label, flt.previous_year().display_label),
        )
    rows = [r for r in b.rows if r.value or r.previous]
    if not rows:
        return None
    prev = [r.previous or 0 for r in rows] if rows[0].previous is not None else None
    return charts.bar_chart(b.title, [(r.label, r.value) for r in rows], previous=prev,
                            legend=(flt.display_label, flt.previous_year().display_label))


DASHBOARD_ORDER = [
    "month", "report_month", "violence_form", "tpks_form", "sex", "age_group", "kecamatan", "kelurahan",
    "place", "relationship", "met_via", "platform", "factor", "channel", "report_channel", "report_status",
]


def _deadline_short(d: Any) -> str:
    """A deadline row's label short enough for a small chart: the full labels all began "Kontak pertama —" and
    were cut to the same 16 characters. First-contact clocks by their risk level; the police clock by name."""
    kind, _sep, risk = d.key.partition(":")
    if kind == "first_contact":
        return capfirst(str(RISK_LABELS.get("" if risk == "-" else risk, risk)))
    if kind == "tpks_police":
        return _("Polisi (TPKS)")
    return str(d.label)


def _glance(summary: Any, flt: StatsFilter) -> list[dict[str, Any]]:
    """The six small charts of the first view; each links to its details further down."""
    legend = (flt.display_label, flt.previous_year().display_label)
    b = summary.breakdowns
    out: list[dict[str, Any]] = []
    month = b["month"]
    out.append({"title": _("Kasus dibandingkan tahun lalu"), "anchor": "sec-month", "chart": charts.column_chart(
        month.title, [(r.label.split()[0], r.value) for r in month.rows], previous=[r.previous or 0 for r in month.rows],
        legend=legend, width=340, height=160)})
    forms = [r for r in b["violence_form"].rows if r.value or r.previous]
    out.append({"title": b["violence_form"].title, "anchor": "sec-violence_form", "chart": charts.bar_chart(
        b["violence_form"].title, [(r.label, r.value) for r in forms], previous=[r.previous or 0 for r in forms],
        legend=legend, mini=True)})
    sexes = [(slug, label) for slug, label in codelists.choices("sex", get_language() or "id") if slug != "unknown"][:2]
    ages = [(slug, label) for slug, label in codelists.choices("age_group", get_language() or "id")]
    if len(sexes) == 2:
        first, second = sexes
        out.append({"title": _("Korban menurut umur dan jenis kelamin"), "anchor": "sec-age_group",
                    "chart": charts.bar_chart(
                        _("Korban menurut umur dan jenis kelamin"),
                        [(label, summary.age_sex.get((slug, first[0]), 0)) for slug, label in ages],
                        previous=[summary.age_sex.get((slug, second[0]), 0) for slug, _label in ages],
                        legend=(first[1], second[1]), mini=True)})
    kec = [r for r in b["kecamatan"].rows if r.value or r.previous]
    out.append({"title": b["kecamatan"].title, "anchor": "sec-kecamatan", "chart": charts.bar_chart(
        b["kecamatan"].title, [(r.label, r.value) for r in kec], previous=[r.previous or 0 for r in kec],
        legend=legend, mini=True)})
    services = summary.services
    rows = [d for d in services.deadlines if d.compliance_pct is not None] if services is not None else []
    out.append({"title": _("Kepatuhan tenggat"), "anchor": "sla-h", "chart": charts.bar_chart(
        _("Kepatuhan tenggat (%)"), [(_deadline_short(d), d.compliance_pct) for d in rows], mini=True, suffix="%")
        if rows else None})
    refs = list(services.referrals) if services is not None else []
    out.append({"title": _("Rujukan"), "anchor": "ref-h", "chart": charts.bar_chart(
        _("Rujukan menurut layanan: dibuat dan diterima"), [(r.label, r.total) for r in refs],
        previous=[r.accepted for r in refs], legend=(_("Dibuat"), _("Diterima")), mini=True) if refs else None})
    return out[:6]


def _key_figures(summary: Any) -> dict[str, Any]:
    services = summary.services
    met = late = 0
    refs = accepted = 0
    if services is not None:
        for d in services.deadlines:
            met += d.on_time
            late += d.late + d.overdue_open
        for r in services.referrals:
            refs += r.total
            accepted += r.accepted
    return {"compliance": round(100 * met / (met + late)) if met + late else None, "referrals": refs,
            "referrals_accepted": accepted}


@require_GET
@lead_staff_required
@replica_reads  # read-only: the read replica when there is one (core/dbrouter.py)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    form_ok = form.is_valid()
    if form_ok:
        flt = form.to_filter()
    else:
        start, end = default_period()
        flt = StatsFilter(start=start, end=end)
    summary = selectors.dashboard_summary(request.user, flt)
    sections = []
    for key in DASHBOARD_ORDER:
        b = summary.breakdowns.get(key)
        if b is None:
            continue
        if key == "kelurahan":
            b.rows = [r for r in b.rows if r.value]
        sections.append({"key": key, "b": b, "chart": _chart_for(key, b, flt),
                         "has_rate": key in ("kecamatan", "kelurahan"), "compare": bool(b.rows) and b.rows[0].previous is not None})
    return render(request, "stats/dashboard.html", {
        "form": form, "form_ok": form_ok, "flt": flt, "s": summary, "sections": sections,
        "highlights": highlights(summary), "glance": _glance(summary, flt), "key": _key_figures(summary),
        "previous_label": flt.previous_year().display_label, "can_export": selectors.can_export(request.user),
        "report_form": ReportForm(initial={"period": f"{flt.end.year}-{flt.end.month:02d}"}),
        # sessions of the mobile-counselling team in the office's area (or the chosen kecamatan/kelurahan)
        "field": field_counts(start=flt.start, end=flt.end, region_code=flt.area or selectors.scope_for(
            request.user, flt).report_region),
        "reach": awareness_reach(start=flt.start, end=flt.end, area=flt.area or ""),  # awareness events (issue 13)
    })


@require_http_methods(["GET", "POST"])
@lead_staff_required
def snapshots(request: HttpRequest) -> HttpResponse:
    form = SnapshotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data.get("month")
        flt = StatsFilter.for_month(year, month) if month else StatsFilter.for_year(year)
        snap = services.snapshot_prepare(user=request.user, start=flt.start, end=flt.end)
        messages.success(request, _("Snapshot %(label)s disiapkan. Periksa lalu minta supervisor menyetujui.") % {"label": snap.label})
        problems = getattr(snap, "disclosure_problems", [])
        if problems:
            messages.warning(request, _("Bersama snapshot yang sudah terbit, angka 1–4 masih dapat dihitung; "
                                        "snapshot ini akan ditolak saat disetujui.") + " " + "; ".join(problems[:3]))
        elif snap.extra_suppressed:
            messages.info(request, _("%(n)d sel tambahan disamarkan agar tidak dapat dihitung dari snapshot yang "
                                     "sudah terbit.") % {"n": snap.extra_suppressed})
        return redirect("stats:snapshot", pk=snap.pk)
    return render(request, "stats/snapshots.html", {
        "form": form, "snapshots": selectors.snapshots_for(request.user)[:50],
        "is_supervisor": request.user.is_supervisor,  # type: ignore[union-attr]
    })


def _snapshot_or_404(request: HttpRequest, pk: int) -> PublishedSnapshot:
    snap = selectors.snapshots_for(request.user).filter(pk=pk).first()
    if snap is None:
        raise Http404
    return snap


@require_GET
@lead_staff_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snap = _snapshot_or_404(request, pk)
    return render(request, "stats/snapshot_detail.html", {
        "snapshot": snap, "data": snap.data, "tables": present(snap.data), "is_supervisor": request.user.is_supervisor,  # type: ignore[union-attr]
    })


@require_POST
@lead_staff_required
def snapshot_approve(request: HttpRequest, pk: int) -> HttpResponse:
    snap = _snapshot_or_404(request, pk)
    action = request.POST.get("action", "approve")
    if action == "withdraw":
        services.snapshot_withdraw(user=request.user, snapshot=snap)
        messages.success(request, _("Publikasi ditarik dari halaman publik."))
    else:
        try:
            services.snapshot_approve(user=request.user, snapshot=snap)
        except services.FourEyes:
            messages.error(request, _("Snapshot yang Anda siapkan sendiri harus disetujui supervisor lain."))
        except services.SnapshotChanged as exc:
            messages.warning(request, str(exc))
        except services.SnapshotRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Snapshot disetujui dan tampil di halaman statistik publik."))
    return redirect("stats:snapshot", pk=snap.pk)


# --- reports and exports ------------------------------------------------------------------------


@require_GET
@lead_staff_required
@replica_reads
def report_pdf(request: HttpRequest) -> HttpResponse:
    try:
        kind, flt = parse_period(request.GET.get("period", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("stats:dashboard")
    flt = selectors.scope_for(request.user, flt)
    pdf = render_report_pdf(kind, flt, organisation_id=flt.organisation_id)
    audit_log(actor=request.user, action="export", object_type="stats.report",
              detail={"kind": kind, "period": request.GET.get("period", "")})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(kind, flt)}"'
    return response


def _supervisor_only(request: HttpRequest) -> None:
    if not selectors.can_export(request.user):
        audit_log(actor=request.user, action="denied", object_type="stats.export", detail={"purpose": "export"})
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@lead_staff_required
def exports(request: HttpRequest) -> HttpResponse:
    """Ask for an export: it runs as a background job; the job page shows its progress."""

    _supervisor_only(request)
    start, end = default_period()
    form = ExportForm(request.POST or None, initial={"start": start, "end": end, "kind": "simfoni", "fmt": "xlsx"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        job = export_job_create(user=request.user, kind=d["kind"], fmt=d["fmt"],
                                flt=StatsFilter(start=d["start"], end=d["end"]))  # its task runs in the worker
        return redirect("stats:export_job", pk=job.pk)
    jobs = ExportJob.objects.filter(requested_by_id=request.user.pk)[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "stats/exports.html", {"form": form, "jobs": jobs, "can_export": True}, status=status)


@require_GET
@lead_staff_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one export job (refreshes itself while running); the password is shown once."""

    _supervisor_only(request)
    job = ExportJob.objects.filter(pk=pk, requested_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    password = ""
    if job.status == ExportJob.Status.DONE and job.token:
        tokens = request.session.get("stats_exports", [])
        if job.token not in tokens:
            request.session["stats_exports"] = [*tokens[-9:], job.token]
        if job.password:
            password = job.password
            ExportJob.objects.filter(pk=job.pk).update(password="")  # shown once
    response = render(request, "stats/export_job.html", {
        "job": job, "password": password,
        "running": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
    })
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@lead_staff_required
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    _supervisor_only(request)
    if token not in request.session.get("stats_exports", []):
        raise Http404
    item = exp.take(token)
    request.session["stats_exports"] = [t for t in request.session.get("stats_exports", []) if t != token]
    if item is None:
        raise Http404
    filename, ctype, content = item
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
