"""Collaboration pages under /staf/jejaring/: consent, referrals, the partner's inbox, the directory,
repeat-perpetrator alerts. Records are fetched only through the domains' ``access_*`` helpers (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salingsapa.accounts.models import Role, User
from salingsapa.cases.access import access_case
from salingsapa.cases.models import CasePerson
from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.intake.evidence import IMAGE_TYPES, evidence_read
from salingsapa.network import services
from salingsapa.network.access import access_conference, access_evidence, access_referral
from salingsapa.network.directory import kelurahan_choices, partners_search
from salingsapa.network.letters import referral_letter_number, referral_letter_pdf
from salingsapa.network.models import Consent, Referral
from salingsapa.network.packages import build_package
from salingsapa.network.selectors import (
    conference_items_visible,
    conferences_for,
    evidence_for,
    perpetrator_alerts_for,
    referrals_for,
)
from salingsapa.staff import network_forms as f
from salingsapa.staff.common import first_error, forbidden, page_of
from salingsapa.staff.decorators import casework_required, staff_required

# --- the case manager's side -----------------------------------------------------------------

def _victims(case: Any) -> list[tuple[int, str]]:
    links = case.participants.filter(role=CasePerson.Role.VICTIM).select_related("person")
    return [(link.person_id, link.person.full_name or _("Korban #%(id)s") % {"id": link.person_id}) for link in links]


def _case_referrals_context(request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
    consents = list(Consent.objects.filter(case=case).select_related("recipient_organisation", "victim"))
    referrals = list(case.referrals.select_related("organisation", "created_by").prefetch_related("deliveries"))
    context = {
        "case": case,
        "consents": consents,
        "referrals": referrals,
        "service_labels": dict(codelists.choices("service")),
        "consent_form": f.ConsentForm(victims=_victims(case), auto_id="consent_%s"),
        "referral_form": f.ReferralForm(auto_id="referral_%s"),
        "reason_form": f.ReasonForm(auto_id="reason_%s"),
        "is_supervisor": request.user.is_supervisor,  # type: ignore[union-attr]
    }
    context.update(extra)
    return context


@casework_required
def case_referrals(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = access_case(request.user, case_pk, purpose="referrals")
    return render(request, "network/case_referrals.html", _case_referrals_context(request, case))


@casework_required
@require_POST
def case_referrals_action(request: HttpRequest, case_pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    case = access_case(user, case_pk, purpose=f"referrals:{action}")
    back = reverse("network:case_referrals", args=[case.pk])
    form: Any
    try:
        if action == "persetujuan":
            form = f.ConsentForm(request.POST, victims=_victims(case), auto_id="consent_%s")
            if not form.is_valid():
                return _rerender(request, case, first_error(form).message, consent_form=form)
            data = form.cleaned_data
            victim = case.participants.get(role=CasePerson.Role.VICTIM, person_id=data["victim"]).person
            services.consent_record(
                actor=user, case=case, victim=victim, given_by=data["given_by"], services=data["services"],
                recipient_organisation=data["recipient_organisation"], recipient_kind=data["recipient_kind"],
                purpose=data["purpose"], given_by_name=data["given_by_name"], child_view=data["child_view"],
                include_evidence=data["include_evidence"] == "yes",
            )
            messages.success(request, _("Persetujuan dicatat."))
        elif action == "cabut-persetujuan":
            consent = Consent.objects.get(pk=int(request.POST.get("consent", "0")), case=case, withdrawn_at__isnull=True)
            revoked = services.consent_withdraw(actor=user, consent=consent)
            messages.success(request, _("Persetujuan dicabut; %(count)s rujukan dihentikan seketika.") % {"count": revoked})
        elif action == "rujuk":
            form = f.ReferralForm(request.POST, auto_id="referral_%s")
            if not form.is_valid():
                return _rerender(request, case, first_error(form).message, referral_form=form)
            data = form.cleaned_data
            referral = services.referral_create(
                actor=user, case=case, organisation=data["organisation"], service=data["service"],
                note_to_partner=data["note_to_partner"], emergency_override_reason=data["emergency_override_reason"],
            )
            messages.success(request, _("Rujukan dikirim ke %(organisation)s.") % {"organisation": referral.organisation})
        elif action == "cabut-rujukan":
            referral = case.referrals.get(pk=int(request.POST.get("referral", "0")))
            form = f.ReasonForm(request.POST, auto_id="reason_%s")
            if not form.is_valid():
                return _rerender(request, case, "Tuliskan alasan pencabutan.")
            services.referral_revoke(actor=user, referral=referral, reason=form.cleaned_data["reason"])
            messages.success(request, _("Rujukan dicabut; mitra tidak lagi dapat melihatnya."))
        else:
            return forbidden(request)
    except services.NetworkError as exc:
        return _rerender(request, case, str(exc), form_data=request.POST)
    except (Consent.DoesNotExist, Referral.DoesNotExist, CasePerson.DoesNotExist, ValueError):
        return _rerender(request, case, "Data tidak ditemukan; muat ulang halaman.")
    return HttpResponseRedirect(back)


def _rerender(request: HttpRequest, case: Any, error: str, form_data: Any = None, **forms: Any) -> HttpResponse:
    context = _case_referrals_context(request, case, error=error, **forms)
    if form_data is not None:  # keep what was typed
        if "given_by" in form_data and "consent_form" not in forms:
            context["consent_form"] = f.ConsentForm(form_data, victims=_victims(case), auto_id="consent_%s")
        if "organisation" in form_data and "referral_form" not in forms:
            context["referral_form"] = f.ReferralForm(form_data, auto_id="referral_%s")
    return render(request, "network/case_referrals.html", context, status=400)


@casework_required
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk, purpose="letter")
    pdf = referral_letter_pdf(actor=request.user, referral=referral)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = referral_letter_number(referral).replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="surat-rujukan-{filename}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- both sides: one referral ------------------------------------------------------------------

@staff_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    referral = access_referral(user, pk, purpose="view")
    return _render_referral(request, referral)


def _render_referral(request: HttpRequest, referral: Referral, *, error: str = "", status: int = 200, **forms: Any) -> HttpResponse:
    user: Any = request.user
    is_partner = user.role == Role.PARTNER
    context = {
        "referral": referral,
        "is_partner": is_partner,
        "service_label": codelists.label("service", referral.service),
        "package": build_package(referral) if is_partner else None,
        "evidence": list(evidence_for(user).filter(report__case=referral.case_id).select_related("report"))
        if is_partner else [],
        "deliveries": list(referral.deliveries.select_related("recorded_by")),
        "delivery_form": forms.get("delivery_form") or f.DeliveryForm(auto_id="delivery_%s"),
        "outcome_form": forms.get("outcome_form") or f.OutcomeForm(auto_id="outcome_%s"),
        "reason_form": forms.get("reason_form") or f.ReasonForm(auto_id="decline_%s"),
        "error": error,
    }
    return render(request, "network/referral.html", context, status=status)  # no-store: @staff_required


@staff_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    referral = access_referral(user, pk, purpose=f"action:{action}")
    if user.role != Role.PARTNER:
        return forbidden(request)
    form: Any
    try:
        if action == "terima":
            services.referral_accept(actor=user, referral=referral)
            messages.success(request, _("Rujukan diterima."))
        elif action == "tolak":
            form = f.ReasonForm(request.POST, auto_id="decline_%s")
            if not form.is_valid():
                return _render_referral(request, referral, error=_("Tuliskan alasan menolak."), status=400, reason_form=form)
            services.referral_decline(actor=user, referral=referral, reason=form.cleaned_data["reason"])
            messages.success(request, _("Rujukan ditolak; manajer kasus diberi tahu."))
        elif action == "layanan":
            form = f.DeliveryForm(request.POST, auto_id="delivery_%s")
            if not form.is_valid():
                return _render_referral(request, referral, error=first_error(form).message, status=400, delivery_form=form)
            services.service_delivery_record(actor=user, referral=referral, **form.cleaned_data)
            messages.success(request, _("Layanan dicatat."))
        elif action == "selesai":
            form = f.OutcomeForm(request.POST, auto_id="outcome_%s")
            if not form.is_valid():
                return _render_referral(request, referral, error=first_error(form).message, status=400, outcome_form=form)
            services.referral_complete(actor=user, referral=referral, outcome=form.cleaned_data["outcome"])
            messages.success(request, _("Rujukan selesai. Terima kasih."))
        else:
            return forbidden(request)
    except services.NetworkError as exc:
        return _render_referral(request, referral, error=str(exc), status=400)
    return HttpResponseRedirect(reverse("network:referral", args=[referral.pk]))


# --- lists -----------------------------------------------------------------------------------

@staff_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.PARTNER and not user.is_lead_agency_staff:
        return forbidden(request)
    form = f.ReferralFilterForm(request.GET or None)
    qs = referrals_for(user).select_related("case", "organisation").order_by("-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(case__number__icontains=data["q"].strip())
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["service"]:
            qs = qs.filter(service=data["service"])
    page = page_of(request, qs)
    return render(request, "network/referral_list.html", {
        "form": form, "page": page, "service_labels": dict(codelists.choices("service")),
        "is_partner": user.role == Role.PARTNER,
    })


@staff_required
def directory(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role in (Role.MEDIA,):
        return forbidden(request)
    groups = kelurahan_choices()
    form = f.DirectorySearchForm(request.GET or None, kelurahan_groups=groups)
    data = form.cleaned_data if form.is_valid() else {}
    orgs = partners_search(service=data.get("service", ""), kelurahan_code=data.get("kelurahan", ""), text=data.get("q", ""))
    return render(request, "network/directory.html", {
        "form": form, "orgs": orgs, "service_labels": dict(codelists.choices("service")),
    })


@casework_required
def perpetrator_alerts(request: HttpRequest) -> HttpResponse:
    return render(request, "network/perpetrator_alerts.html", {"alerts": perpetrator_alerts_for(request.user)})


# --- case conferences ---------------------------------------------------------------------------

def _conference_or_404(user: Any, pk: int, purpose: str) -> Any:
    return access_conference(user, pk, purpose=purpose)


@staff_required
def conference_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.is_lead_agency_staff or user.role == Role.PARTNER):
        return forbidden(request)
    form = f.ConferenceForm(request.POST or None) if user.is_lead_agency_staff else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                conference = services.conference_schedule(
                    actor=user, title=data["title"], scheduled_at=data["scheduled_at"], place=data["place"],
                    organisations=list(data["organisations"]),
                )
            except services.NetworkError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Rapat dijadwalkan; agenda berisi kasus risiko tinggi yang terbuka."))
                return HttpResponseRedirect(reverse("network:conference", args=[conference.pk]))
        else:
            messages.error(request, first_error(form).message)
    page = page_of(request, conferences_for(user))
    status = 400 if request.method == "POST" else 200
    return render(request, "network/conference_list.html", {"page": page, "form": form}, status=status)


def _conference_context(user: Any, conference: Any) -> dict[str, Any]:
    can_edit = user.is_lead_agency_staff and conference.organisation_id == user.organisation_id
    return {
        "conference": conference,
        "invites": list(conference.invites.select_related("organisation")),
        "items": conference_items_visible(user, conference),
        "can_edit": can_edit,
        "owners": list(User.objects.filter(organisation_id=conference.organisation_id, is_active=True,
                                           role__in=["intake_officer", "case_manager", "supervisor", "counsellor"])
                       .order_by("username")) if can_edit else [],
    }


@staff_required
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    conference = _conference_or_404(user, pk, "view")
    return render(request, "network/conference.html", _conference_context(user, conference))  # no-store: @staff_required


@staff_required
@require_POST
def conference_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:



    user: Any = request.user
    conference = _conference_or_404(user, pk, f"action:{action}")
    try:
        if action == "kehadiran":
            ids = {int(x) for x in request.POST.getlist("attended") if x.isdigit()}
            held = services.conference_attendance_record(
                actor=user, conference=conference,
                attended={i: request.POST.get(f"names-{i}", "")[:500] for i in ids},
            )
            messages.success(request, _("Kehadiran disimpan.") if held else
                             _("Kehadiran disimpan. Rapat belum berlangsung, jadi belum ditandai selesai."))
        elif action in ("bahas", "tindak-lanjut"):
            item = conference.items.get(pk=int(request.POST.get("item", "0")))
            if action == "bahas":
                services.conference_item_discuss(actor=user, item=item, discussion=request.POST.get("discussion", "")[:10000])
                messages.success(request, _("Pembahasan kasus %(number)s disimpan.") % {"number": item.case.number})
            else:
                try:
                    due_on = dt.date.fromisoformat(request.POST.get("due_on", ""))
                except ValueError:
                    raise services.NetworkError(_("Isi batas waktu dengan tanggal yang benar.")) from None
                owner = User.objects.get(pk=int(request.POST.get("owner", "0")))
                due_at = timezone.make_aware(dt.datetime.combine(due_on, dt.time(16, 0)))
                services.conference_action_add(actor=user, item=item, description=request.POST.get("description", "")[:500],
                                               owner=owner, due_at=due_at)
                messages.success(request, _("Tindak lanjut dicatat dan menjadi tugas di kasus."))
        else:
            return forbidden(request)
    except services.NetworkError as exc:
        context = _conference_context(user, conference)
        context["error"] = str(exc)
        return render(request, "network/conference.html", context, status=400)
    except (ValueError, User.DoesNotExist, conference.items.model.DoesNotExist):
        context = _conference_context(user, conference)
        context["error"] = _("Data tidak ditemukan; muat ulang halaman.")
        return render(request, "network/conference.html", context, status=400)
    return HttpResponseRedirect(reverse("network:conference", args=[conference.pk]))


@staff_required
def conference_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML


    user: Any = request.user
    conference = _conference_or_404(user, pk, "minutes")
    context = _conference_context(user, conference)
    pdf = HTML(string=render_to_string("network/conference_minutes.html", context)).write_pdf()
    audit_log(actor=user, action="export", object_type="conference", object_id=conference.pk, detail={"document": "minutes"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notulen-rapat-{conference.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- evidence files ------------------------------------------------------------------------------

EVIDENCE_EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf", "audio/mpeg": "mp3",
    "audio/mp4": "m4a", "audio/ogg": "ogg", "audio/x-wav": "wav", "audio/amr": "amr", "audio/aac": "aac",
    "audio/x-flac": "flac",
}
# A file is shown as itself, never as a page: no scripts, no plugins, no same-origin rights.
EVIDENCE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


def _evidence_response(evidence: Any, *, inline: bool) -> HttpResponse:
    response = HttpResponse(evidence_read(evidence), content_type=evidence.content_type or "application/octet-stream")
    # The file name is neutral (the id and the type): the name the reporter gave may identify someone.
    filename = f"bukti-{evidence.pk}.{EVIDENCE_EXTENSIONS.get(evidence.content_type, 'bin')}"
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = EVIDENCE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


@staff_required
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence image shown inline (the staff page embeds it). Each view is an audited read."""
    evidence = access_evidence(request.user, pk, purpose="view")
    if evidence.content_type not in IMAGE_TYPES or evidence.hidden_at is not None:
        raise Http404
    return _evidence_response(evidence, inline=True)


@staff_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Any evidence file as a download. Each download is an audited read."""
    evidence = access_evidence(request.user, pk, purpose="download")
    return _evidence_response(evidence, inline=False)


@casework_required
@require_POST
def evidence_hide(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    evidence = access_evidence(user, pk, purpose="hide")
    report = evidence.report
    back = (reverse("staff:case", args=[report.case_id]) if report.case_id else reverse("staff:report", args=[report.pk]))
    form = f.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.evidence_hide(actor=user, evidence=evidence, reason=reason)
    except services.NetworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Bukti disembunyikan; alasannya dicatat. Berkas tidak dihapus."))
    return HttpResponseRedirect(back + "#bukti")
