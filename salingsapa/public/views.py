"""Everything an anonymous person sees. Kept apart from staff views: own templates, own helpers.

Every page is sent with ``Cache-Control: no-store`` (a shared phone must not keep report data
in its cache) and carries the quick-exit control.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as default_failure
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from salingsapa.awareness.selectors import articles_published
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.intake import ratelimit
from salingsapa.intake.evidence import (
    EvidenceRejected,
    evidence_prepare,
    upload_files_allowed,
    upload_request_allowed,
)
from salingsapa.intake.models import Channel, Report
from salingsapa.intake.schema import ReportInvalid, report_input
from salingsapa.intake.selectors import report_public_status, report_thread
from salingsapa.intake.services import (
    CodenameAttemptsExceeded,
    IdempotencyConflict,
    codename_attempts_blocked,
    evidence_pending_add,
    evidence_pending_remove,
    report_codename_login,
    report_create,
    report_evidence_add,
    report_message_add,
)
from salingsapa.network.directory import kelurahan_choices, organisation_summary, partners_search
from salingsapa.public import draft as drafts
from salingsapa.public.forms import (
    IDENTIFIER_KINDS,
    REPORTER_PLAIN,
    STEP_FORMS,
    STEP_SLUGS,
    VIOLENCE_PLAIN,
    FollowupLoginForm,
    FollowupMessageForm,
    step_for_error,
)

NO_STORE = "no-store, max-age=0"
T = TypeVar("T")


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200) -> HttpResponse:
    """Render a public page: common context, no caching anywhere."""
    ctx = {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "current_path": request.path,
    }
    ctx.update(context or {})
    response = render(request, template, ctx, status=status)
    no_store(response)
    return response


def _prepare_upload(upload: Any) -> Any:
    """Size cap, then type check and metadata stripping (``evidence_prepare``); raises EvidenceRejected."""
    if upload.size and upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceRejected(_("Berkas terlalu besar. Ukuran maksimal %(mb)d MB.")
                               % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}, status=413)
    return evidence_prepare(data=upload.read(), filename=upload.name or "")


def no_store(response: HttpResponse) -> HttpResponse:
    # "no-referrer" would make Chromium send "Origin: null" with our own form posts, which
    # Django's CSRF check refuses; "same-origin" still sends nothing to other sites.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = NO_STORE
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    return response


def _redirect(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url, status=303)
    return no_store(response)


def _step_url(slug: str) -> str:
    if slug == "bukti":
        return reverse("public_report_evidence")
    return reverse("public_report_step", args=[slug])


def _danger(draft: dict[str, Any]) -> bool:
    return draft.get("steps", {}).get("bahaya", {}).get("in_danger_now") == "yes"


def _progress(slug: str) -> dict[str, int]:
    return {"number": STEP_SLUGS.index(slug) + 1, "total": len(STEP_SLUGS) + 1}


def _too_many(request: HttpRequest, message: str, window: int) -> HttpResponse:
    response = page(request, "public/message.html", {"title": _("Terlalu banyak percobaan"), "message": message},
                    status=429)
    response["Retry-After"] = str(window)
    return response


# --- pages -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    lang = get_language() or "id"
    education = [(a, a.in_language(lang)) for a in articles_published()[:6]]
    return page(request, "public/home.html", {"education": education})


@require_http_methods(["GET", "HEAD"])
def report_start(request: HttpRequest) -> HttpResponse:
    return page(request, "public/start.html", {"has_draft": drafts.draft_exists(request),
                                               "first_step": _step_url(STEP_SLUGS[0])})


@require_http_methods(["GET", "HEAD"])
def report_emergency(request: HttpRequest) -> HttpResponse:
    return page(request, "public/emergency.html", {"next_url": _step_url("kejadian")})


@require_http_methods(["GET", "POST"])
def report_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404
    if step == "bukti":
        return _redirect(reverse("public_report_evidence"))
    draft = drafts.draft_get(request)
    form_class = STEP_FORMS[step]
    back_to_summary = request.GET.get("ubah") == "1" or request.POST.get("ubah") == "1"
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                return _honeypot(request)
            draft["steps"][step] = form.draft_data()
            drafts.draft_save(request, draft)
            if step == "bahaya" and form.cleaned_data["in_danger_now"] == "yes":
                return _redirect(reverse("public_report_emergency"))
            if back_to_summary:
                return _redirect(reverse("public_report_summary"))
            return _redirect(_next_url(step))
        status = 400
    else:
        form = form_class(initial=draft["steps"].get(step) or None)
        status = 200
    return page(request, "public/step.html", _step_context(step, form, draft, back_to_summary), status=status)


def _next_url(step: str) -> str:
    index = STEP_SLUGS.index(step)
    if index + 1 < len(STEP_SLUGS):
        return _step_url(STEP_SLUGS[index + 1])
    return reverse("public_report_summary")


def _step_context(step: str, form: Any, draft: dict[str, Any], back_to_summary: bool) -> dict[str, Any]:
    index = STEP_SLUGS.index(step)
    return {
        "step": step,
        "form": form,
        "progress": _progress(step),
        "previous_url": _step_url(STEP_SLUGS[index - 1]) if index else reverse("public_report_start"),
        "danger": _danger(draft),
        "ubah": back_to_summary,
    }


def _honeypot(request: HttpRequest) -> HttpResponse:
    return page(request, "public/message.html", {
        "title": _("Pengiriman tidak dapat diproses"),
        "message": _("Kolom tersembunyi terisi. Jika Anda manusia, kembali dan kosongkan kolom itu."),
    }, status=400)


class EvidenceUploadHandler(MemoryFileUploadHandler):
    """Keep uploads in memory (they are sealed before touching the disk), up to the request cap."""

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None) -> None:  # noqa: N803
        self.activated = content_length <= _upload_cap()


def _upload_cap() -> int:
    return settings.EVIDENCE_MAX_BYTES * settings.EVIDENCE_MAX_FILES + 1024 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _oversize_page(request: HttpRequest) -> HttpResponse:
    return page(request, "public/message.html", {
        "title": _("Berkas terlalu besar"),
        "message": _("Ukuran maksimal 10 MB per berkas. Kembali dan pilih berkas yang lebih kecil."),
    }, status=413)


def _upload_refused(request: HttpRequest, exc: EvidenceRejected) -> HttpResponse:
    response = page(request, "public/message.html", {"title": _("Berkas belum dapat diterima"), "message": exc.message},
                    status=exc.status)
    if exc.status in {429, 503}:
        response["Retry-After"] = "3600"
    return response


def _upload_gate(request: HttpRequest) -> HttpResponse | None:
    """Before the body is read: its size against the cap and the client address's hourly bytes."""
    length = _content_length(request)
    if length > _upload_cap():
        return _oversize_page(request)
    try:
        upload_request_allowed(client=ratelimit.client_ip(request), content_length=length)
    except EvidenceRejected as exc:
        return _upload_refused(request, exc)
    request.upload_handlers = [EvidenceUploadHandler(request)]
    return None


@csrf_exempt
def report_evidence_step(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (refused := _upload_gate(request)) is not None:
        return refused
    return csrf_protect(_report_evidence_step)(request)


def _store_uploads(uploads: list[Any], keep: Callable[[Any], Any]) -> tuple[list[str], int]:
    """Prepare each upload (strip, seal) and hand it to ``keep``; a refused file is named in the errors and the
    others are still kept. Returns the errors and the worst status (200 when none was refused)."""
    errors: list[str] = []
    status = 200
    for upload in uploads:
        try:
            stored = _prepare_upload(upload)
        except EvidenceRejected as exc:
            errors.append(f"{upload.name}: {exc.message}")
            status = max(status, exc.status)
            continue
        keep(stored)
    return errors, status


def _files_refused(request: HttpRequest, scope: str, uploads: list[Any], *, pending: bool) -> EvidenceRejected | None:
    try:
        upload_files_allowed(client=ratelimit.client_ip(request), scope=scope,
                             sizes=[int(u.size or 0) for u in uploads], pending=pending)
    except EvidenceRejected as exc:
        return exc
    return None


def _report_evidence_step(request: HttpRequest) -> HttpResponse:
    draft = drafts.draft_get(request)
    form = STEP_FORMS["bukti"]()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        remove = request.POST.get("hapus")
        if remove is not None:
            kept = []
            for item in draft.get("evidence", []):
                if item["storage_name"] == remove:
                    evidence_pending_remove(storage_name=item["storage_name"])
                else:
                    kept.append(item)
            draft["evidence"] = kept
            drafts.draft_save(request, draft)
            return _redirect(_step_url("bukti"))
        uploads = request.FILES.getlist("files")
        room = settings.EVIDENCE_MAX_FILES - len(draft.get("evidence", []))
        if len(uploads) > room:
            errors.append(_("Paling banyak %(n)d berkas.") % {"n": settings.EVIDENCE_MAX_FILES})
            status = 400
        elif uploads and (refused := _files_refused(request, f"draft:{draft['token']}", uploads, pending=True)):
            errors.append(refused.message)
            status = refused.status
        else:

            def keep(stored: Any) -> None:
                evidence_pending_add(evidence=stored)
                draft.setdefault("evidence", []).append(stored.as_dict())

            refusals, refused_status = _store_uploads(uploads, keep)
            errors += refusals
            status = max(status, refused_status)
            drafts.draft_save(request, draft)
        if not errors and request.POST.get("lanjut") == "1":
            return _redirect(reverse("public_report_summary"))
        if not errors:
            return _redirect(_step_url("bukti"))
    context = _step_context("bukti", form, draft, False)
    context.update({"evidence": draft.get("evidence", []), "file_errors": errors,
                    "max_files": settings.EVIDENCE_MAX_FILES})
    return page(request, "public/evidence.html", context, status=status)


def _label(list_name: str, slug: str) -> str:
    return codelists.label(list_name, slug, get_language() or "id") if slug else ""


def _summary_sections(draft: dict[str, Any]) -> list[dict[str, Any]]:
    v = drafts.draft_values(draft)
    report = drafts.draft_to_report(draft)
    kelurahan = Region.objects.filter(code=str(v.get("kelurahan_code") or "")).select_related("parent").first()
    danger = report.get("in_danger_now")
    date_text = str(v.get("incident_date") or "")
    none = _("(tidak diisi)")
    yes, no = _("Ya"), _("Tidak")
    child = {True: yes, False: no, None: _("Tidak tahu")}[report["victim"]["is_child"]]
    kinds = dict(IDENTIFIER_KINDS)
    return [
        {"step": "pelapor", "title": _("Pelapor"), "rows": [
            (_("Melapor sebagai"), str(REPORTER_PLAIN.get(v.get("reporter_role", ""), none)))]},
        {"step": "bahaya", "title": _("Bahaya saat ini"), "rows": [
            (_("Ada yang dalam bahaya sekarang"), none if danger is None else (yes if danger else no))]},
        {"step": "kejadian", "title": _("Kejadian"), "rows": [
            (_("Cerita"), v.get("narrative") or none),
            (_("Bentuk kekerasan"), ", ".join(str(VIOLENCE_PLAIN.get(f, f)) for f in v.get("violence_forms") or []) or none)]},
        {"step": "korban", "title": _("Korban"), "rows": [
            (_("Jenis kelamin"), _label("sex", v.get("victim_sex", "")) or none),
            (_("Umur"), _label("age_group", v.get("victim_age_group", "")) or none),
            (_("Anak (di bawah 18 tahun)"), child)]},
        {"step": "lokasi", "title": _("Tempat"), "rows": [
            (_("Kelurahan"), f"{kelurahan.name}, {_('Kecamatan')} {kelurahan.parent.name}" if kelurahan and kelurahan.parent else none),
            (_("Jenis tempat"), _label("place", v.get("place", "")) or none)]},
        {"step": "waktu", "title": _("Waktu"), "rows": [
            (_("Tanggal kejadian"), "-".join(reversed(date_text.split("-"))) if date_text else none)]},
        {"step": "pelaku", "title": _("Pelaku"), "rows": [
            (_("Hubungan dengan korban"), _label("relationship", v.get("relationship", "")) or none),
            (_("Cara kenal"), _label("met_via", v.get("met_via", "")) or none),
            (_("Aplikasi"), _label("platform", v.get("met_via_platform", "")) or none),
            *[(str(kinds.get(i["kind"], i["kind"])), str(i["value"]).strip())
              for i in report["perpetrator_identifiers"]]]},
        {"step": "kontak", "title": _("Kontak"), "rows": [
            (_("Nama"), v.get("contact_name") or none),
            (_("Telepon"), v.get("contact_phone") or none),
            (_("Email"), v.get("contact_email") or none),
            (_("Cara aman menghubungi"), _label("preferred_channel", v.get("preferred_channel", "")) or none),
            (_("Waktu aman"), v.get("safe_time") or none),
            (_("Setuju dihubungi"), yes if v.get("consent_contact") else no),
            (_("Setuju dibagikan ke mitra layanan"), yes if v.get("consent_share") else no)]},
        {"step": "bukti", "title": _("Bukti"), "rows": [
            (_("Berkas"), ", ".join(e.get("original_name") or _("berkas") for e in draft.get("evidence", [])) or none)]},
    ]


def _error_list(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    return [{"step": step_for_error(path), "message": str(message),
             "url": _step_url(step_for_error(path)) + "?ubah=1"}
            for path, messages in errors.items() for message in messages]


@require_http_methods(["GET", "POST"])
def report_summary(request: HttpRequest) -> HttpResponse:
    draft = drafts.draft_get(request)
    if request.method == "POST":
        return _report_submit(request, draft)
    if not draft["steps"]:
        return _redirect(reverse("public_report_start"))
    errors = _draft_errors(draft)
    return page(request, "public/summary.html", {
        "sections": _summary_sections(draft), "errors": _error_list(errors), "token": draft["token"],
        "danger": _danger(draft), "progress": {"number": len(STEP_SLUGS) + 1, "total": len(STEP_SLUGS) + 1},
    })


def _draft_errors(draft: dict[str, Any]) -> dict[str, list[str]]:
    try:
        report_input(drafts.draft_to_report(draft))
    except ReportInvalid as exc:
        return exc.errors
    return {}


def _report_submit(request: HttpRequest, draft: dict[str, Any]) -> HttpResponse:
    token = request.POST.get("token", "")
    receipt = drafts.receipt_get(request)
    if receipt and token and receipt.get("token") == token:  # a double click after success
        return _redirect(reverse("public_report_done"))
    if request.POST.get("website"):
        return _honeypot(request)
    if not draft["steps"] or token != draft["token"]:
        return _redirect(reverse("public_report_summary"))
    if ratelimit.request_hit(request, purpose="web-report", limit=settings.REPORT_RATE_LIMIT,
                             window=settings.REPORT_RATE_WINDOW):
        return _too_many(request, _("Terlalu banyak laporan dari jaringan ini. Coba lagi nanti, "
                                    "atau hubungi SAPA 129."), settings.REPORT_RATE_WINDOW)
    try:
        created = report_create(data=drafts.draft_to_report(draft), channel=Channel.WEB,
                                idempotency_key=draft["token"], evidence=drafts.draft_evidence(draft))
    except (ReportInvalid, IdempotencyConflict) as exc:
        errors = exc.errors if isinstance(exc, ReportInvalid) else {"reporter_role": [_("Laporan berubah. Periksa lagi.")]}
        return page(request, "public/summary.html", {
            "sections": _summary_sections(draft), "errors": _error_list(errors), "token": draft["token"],
            "danger": _danger(draft), "progress": {"number": len(STEP_SLUGS) + 1, "total": len(STEP_SLUGS) + 1},
        }, status=400)
    drafts.receipt_save(request, reference=created.reference, codename=created.codename, token=draft["token"],
                        emergency=created.report.is_emergency)
    drafts.draft_clear(request)
    return _redirect(reverse("public_report_done"))


@require_http_methods(["GET", "HEAD"])
def report_done(request: HttpRequest) -> HttpResponse:
    receipt = drafts.receipt_take(request)
    if receipt is None:
        return _redirect(reverse("public_report_start"))
    return page(request, "public/done.html", {"receipt": receipt, "first_time": bool(receipt.get("codename"))})


# --- follow-up by codename ------------------------------------------------------------------


def _followup_report(request: HttpRequest) -> Report | None:
    pk = drafts.followup_report_pk(request)
    if pk is None:
        return None
    return Report.objects.filter(pk=pk).first()


def codename_form_check(request: HttpRequest, form: Any, *, template: str, wrong: str,
                        login: Callable[..., T | None]) -> T | HttpResponse:
    """A posted reference + codename form, checked by ``login(client=, reference=, codename=)`` (a report's
    or a booking's) under the codename limits every channel shares: what it found, or the page to answer
    with (429 when the attempts are used up, 400 with the form's errors)."""
    window = settings.CODENAME_RATE_WINDOW
    too_many = _("Terlalu banyak percobaan kode rahasia. Tunggu 15 menit lalu coba lagi.")
    client = ratelimit.client_ip(request)
    if codename_attempts_blocked(client=client):
        return _too_many(request, too_many, window)
    if not form.is_valid():
        return page(request, template, {"form": form}, status=400)
    try:
        found = login(client=client, reference=form.cleaned_data["reference"], codename=form.cleaned_data["codename"])
    except CodenameAttemptsExceeded:
        return _too_many(request, too_many, window)
    if found is None:
        form.add_error(None, wrong)
        return page(request, template, {"form": form}, status=400)
    return found


def _followup_sender(request: HttpRequest, *, too_many: str) -> Report | HttpResponse:
    """The report of the person signed in with a codename who sends something on its thread (a message,
    files), or the answer that turns them away: the codename page when nobody is signed in, ``too_many``
    (429) past ``FOLLOWUP_RATE_LIMIT`` sendings an hour from this client (messages and files count together)."""
    report = _followup_report(request)
    if report is None:
        return _redirect(reverse("public_followup"))
    if ratelimit.request_hit(request, purpose="followup", limit=settings.FOLLOWUP_RATE_LIMIT, window=3600):
        return _too_many(request, too_many, 3600)
    return report


@require_http_methods(["GET", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        report = _followup_report(request)
        if report is not None:
            return _thread_page(request, report)
        return page(request, "public/followup_login.html", {"form": FollowupLoginForm()})
    opened = codename_form_check(
        request, FollowupLoginForm(request.POST), template="public/followup_login.html", login=report_codename_login,
        wrong=_("Nomor pengaduan atau kode rahasia salah. Periksa lagi."))
    if isinstance(opened, HttpResponse):
        return opened
    drafts.followup_login(request, opened.pk)
    return _redirect(reverse("public_followup"))


def _thread_page(request: HttpRequest, report: Report, *, form: Any = None, file_errors: list[str] | None = None,
                 status: int = 200) -> HttpResponse:
    return page(request, "public/followup_thread.html", {
        "report": report,
        "status_text": report_public_status(report),
        "thread": report_thread(report),
        "form": form or FollowupMessageForm(),
        "file_errors": file_errors or [],
        "evidence_count": report.evidence.count(),
    }, status=status)


@require_http_methods(["POST"])
def followup_message(request: HttpRequest) -> HttpResponse:
    report = _followup_sender(request, too_many=_("Terlalu banyak pesan. Coba lagi nanti."))
    if isinstance(report, HttpResponse):
        return report
    form = FollowupMessageForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, report, form=form, status=400)
    try:
        report_message_add(report=report, sender="reporter", body=form.cleaned_data["body"])
    except ReportInvalid as exc:
        for message in exc.errors.get("body", []):
            form.add_error("body", message)
        return _thread_page(request, report, form=form, status=400)
    return _redirect(reverse("public_followup") + "#pesan-terakhir")


@csrf_exempt
def followup_files(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _redirect(reverse("public_followup"))
    if (refused := _upload_gate(request)) is not None:
        return refused
    return csrf_protect(_followup_files)(request)


def _followup_files(request: HttpRequest) -> HttpResponse:
    report = _followup_sender(request, too_many=_("Terlalu banyak kiriman. Coba lagi nanti."))
    if isinstance(report, HttpResponse):
        return report
    uploads = request.FILES.getlist("files")[: settings.EVIDENCE_MAX_FILES]
    errors: list[str] = []
    status = 200
    if not uploads:
        errors.append(_("Pilih berkas yang akan dikirim."))
        status = 400
    elif refused := _files_refused(request, f"report:{report.pk}", uploads, pending=False):
        return _thread_page(request, report, file_errors=[refused.message], status=refused.status)
    refusals, refused_status = _store_uploads(uploads, lambda stored: report_evidence_add(report=report, evidence=stored))
    errors += refusals
    status = max(status, refused_status)
    if errors:
        return _thread_page(request, report, file_errors=errors, status=status)
    return _redirect(reverse("public_followup"))


@require_http_methods(["POST"])
def followup_logout(request: HttpRequest) -> HttpResponse:
    drafts.followup_logout(request)
    return _redirect(reverse("home"))


# --- leaving ----------------------------------------------------------------------------------


@csrf_exempt  # only destroys this browser's own session; SameSite=Strict keeps other sites out
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    """Quick exit: forget the session (with the sealed draft and its sealed files) and tell the
    browser to clear everything of this site."""
    if drafts.draft_exists(request):
        for item in drafts.draft_get(request).get("evidence", []):
            evidence_pending_remove(storage_name=item["storage_name"])
    request.session.flush()
    if request.GET.get("beacon") == "1":
        response = HttpResponse(status=204)
    else:
        response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    no_store(response)
    return response


PUBLIC_PREFIXES = ("/lapor/", "/keluar/", "/i18n/")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from an expired page (e.g. after Quick exit cleared the cookies): a plain message.

    Staff and admin pages keep Django's own CSRF failure page.
    """
    if request.path != "/" and not request.path.startswith(PUBLIC_PREFIXES):
        return default_failure(request, reason)
    return page(request, "public/message.html", {
        "title": _("Halaman sudah kedaluwarsa"),
        "message": _("Halaman ini dibuka terlalu lama atau data situs sudah dihapus. Kembali, muat ulang halaman, "
                     "lalu kirim lagi. Jawaban yang sudah tersimpan tidak hilang."),
    }, status=403)


@require_http_methods(["GET", "HEAD"])
def services_directory(request: HttpRequest) -> HttpResponse:
    """Where people can go for help: the partner services that chose to be listed publicly."""

    service = request.GET.get("layanan", "")
    if service not in codelists.slugs("service"):
        service = ""
    kelurahan = request.GET.get("kelurahan", "")
    if kelurahan and not Region.objects.filter(code=kelurahan, level=4).exists():
        kelurahan = ""
    orgs = partners_search(service=service, kelurahan_code=kelurahan, public_only=True)
    lang = get_language() or "id"
    return page(request, "public/directory.html", {
        "orgs": [_public_org(o, lang) for o in orgs],
        "services": codelists.choices("service", lang),
        "kelurahan_groups": _kelurahan_groups(),
        "selected_service": service,
        "selected_kelurahan": kelurahan,
    })


def _kelurahan_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Kelurahan per kecamatan, each option naming its kecamatan too: Kota Serang has two "Sukawana"."""
    return [(f"{_('Kecamatan')} {kecamatan}",
             [(code, f"{name} ({_('Kec.')} {kecamatan})") for code, name in options])
            for kecamatan, options in kelurahan_choices()]


def _area_name(region: Region) -> str:
    if region.level == Region.Level.VILLAGE:
        parent = region.parent.name if region.parent else ""
        return f"{_('Kelurahan')} {region.name}, {_('Kecamatan')} {parent}" if parent else region.name
    if region.level == Region.Level.DISTRICT:
        return f"{_('Kecamatan')} {region.name}"
    return _("Seluruh %(name)s") % {"name": region.name.title() if region.name.isupper() else region.name}


def _public_org(org: Any, lang: str) -> dict[str, Any]:
    summary = organisation_summary(org)
    summary["services"] = [codelists.label("service", s, lang) for s in org.services or []]
    areas = sorted(org.service_area.all(), key=lambda r: r.code)
    summary["areas"] = [_area_name(r) for r in areas] or [_("Seluruh Kota Serang")]
    return summary


# --- error pages (handler400/403/404/500 in salingsapa/urls.py) ------------------------------

STAFF_PREFIXES = ("/staf/", "/admin/")
ERROR_TEXT = {
    400: (gettext_lazy("Permintaan tidak dapat diproses"),
          gettext_lazy("Isian atau alamat halaman tidak dapat kami baca. Kembali ke halaman utama lalu coba lagi.")),
    403: (gettext_lazy("Tidak diizinkan"),
          gettext_lazy("Halaman ini tidak dapat dibuka dari sini. Kembali ke halaman utama.")),
    404: (gettext_lazy("Halaman tidak ditemukan"),
          gettext_lazy("Alamat ini tidak ada atau sudah dipindahkan. Periksa alamatnya atau mulai dari halaman utama.")),
    500: (gettext_lazy("Terjadi gangguan"),
          gettext_lazy("Ada gangguan di sisi kami. Jawaban yang sudah tersimpan tidak hilang. Coba lagi sebentar lagi.")),
}
# Used when even the template cannot be rendered (e.g. the database is down during a 500).
BARE_ERROR_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Informasi</title>
<link rel="stylesheet" href="{css}"></head><body><header class="top">
<a class="quick-exit" id="quick-exit" href="/keluar/">Keluar cepat</a></header><main id="isi">
<h1>Terjadi gangguan</h1><p>Ada gangguan di sisi kami. Coba lagi sebentar lagi.</p>
<p lang="en">Something went wrong on our side. Please try again shortly.</p>
<p><a href="/">Halaman utama</a> · Darurat: <a href="tel:112">112</a> · SAPA <a href="tel:129">129</a></p>
</main></body></html>"""


def _error_page(request: HttpRequest, status: int) -> HttpResponse:
    title, message = ERROR_TEXT[status]
    context = {"title": title, "message": message, "quick_exit_url": settings.QUICK_EXIT_URL,
               "current_path": "/"}
    try:
        if request.path.startswith(STAFF_PREFIXES):
            response = render(request, "errors/staff.html", context, status=status)
        else:
            response = render(request, "public/error.html", context, status=status)
    except Exception:  # noqa: BLE001 - an error page must always answer
        from django.templatetags.static import static

        response = HttpResponse(BARE_ERROR_PAGE.format(css=static("public/public.css")), status=status)
    return no_store(response)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500)
