"""Field pages (``/staf/lapangan/``): a counsellor records the sessions of a visit on a phone, also
without a connection.

Progressive enhancement: the session form posts like any staff form (no JavaScript needed). With
JavaScript, ``static/staff/field.js`` keeps each entry in IndexedDB, sealed with AES-GCM under a key
that only the signed-in session gets (``device_key``), and sends the entries to ``sync`` when online;
the service worker (``service_worker``, scope ``/staf/lapangan/``) keeps the pages for offline use.
Both paths end in ``fieldwork.services.field_session_record``, idempotent on the entry's id.
See docs/architecture.md ("Field sessions") and docs/security.md ("Field app on the phone").
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from salingsapa.core import crypto
from salingsapa.fieldwork import selectors
from salingsapa.fieldwork.models import FieldSession
from salingsapa.fieldwork.services import SessionInvalid, SessionRefused, field_session_record
from salingsapa.outreach.models import Visit
from salingsapa.staff.common import forbidden
from salingsapa.staff.decorators import casework_required, staff_required
from salingsapa.staff.field_forms import FieldSessionForm

SYNC_MAX_ENTRIES = 25
CACHE_NAME = "ss-lapangan-v1"  # also in field.js: the page wipes every cache whose name starts "ss-lapangan"


def _strings() -> dict[str, str]:
    """The words ``field.js`` shows (in the page as JSON, so they follow the reader's language)."""
    return {
        "saved": _("Tersimpan di perangkat."), "waiting": _("%(n)s catatan belum terkirim."),
        "sent": _("%(n)s catatan terkirim."), "allSent": _("Semua catatan sudah terkirim."),
        "offline": _("Tidak ada sinyal: catatan disimpan di perangkat dan dikirim otomatis nanti."),
        "signedOut": _("Sesi Anda berakhir. Masuk lagi untuk mengirim catatan yang tersimpan."),
        "noKey": _("Buka halaman ini sekali saat ada sinyal sebelum mencatat tanpa sinyal."),
        "fix": _("Perlu diperbaiki"), "edit": _("Perbaiki"),
        "consultation": str(FieldSession.Kind.CONSULTATION.label), "disclosure": str(FieldSession.Kind.DISCLOSURE.label),
        "leave": _("%(n)s catatan belum terkirim dan akan dihapus dari perangkat ini. Tetap keluar?"),
        "unsupported": _("Peramban ini tidak dapat menyimpan catatan dengan aman: catatan dikirim langsung."),
        "needKind": _("Pilih jenis sesi."), "needSex": _("Pilih jenis kelamin."), "needAge": _("Pilih kelompok umur."),
        "needTopic": _("Pilih topik konsultasi."), "needReporter": _("Pilih siapa yang melapor."),
        "needNarrative": _("Ceritakan secara singkat apa yang terjadi."),
        "needForms": _("Pilih setidaknya satu bentuk kekerasan."), "needVictimSex": _("Pilih jenis kelamin korban."),
        "needVictimAge": _("Pilih kelompok umur korban."),
        "needKelurahan": _("Pilih kelurahan tempat kejadian di Kota Serang."),
    }


def _visit(request: HttpRequest, pk: int) -> Visit:
    return get_object_or_404(selectors.visits_for_recording(request.user), pk=pk)


def _save(request: HttpRequest, visit: Visit, form: FieldSessionForm) -> Any:
    """The form's session through the service; errors go back onto the form's fields (None then)."""
    data = form.cleaned_data
    try:
        return field_session_record(
            actor=request.user,  # type: ignore[arg-type]
            visit=visit, client_id=data["client_id"], kind=data["kind"], sex=data.get("sex", ""),
            age_group=data.get("age_group", ""), topic=data.get("topic", ""),
            report=form.report_data() if data["kind"] == FieldSession.Kind.DISCLOSURE else None,
            recorded_at=form.recorded_when(),
        )
    except SessionInvalid as exc:
        form.add_report_errors(exc.field_errors)
    except SessionRefused as exc:
        form.refused = True  # type: ignore[attr-defined]
        form.add_error(None, exc.message)
    return None


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    visits = list(selectors.visits_near(request.user))
    today = timezone.localdate()
    return render(request, "staff/field/home.html", {"visits": visits, "today": today, "field_strings": _strings(),
                                                      "can_see_stats": request.user.is_lead_agency_staff})  # type: ignore[union-attr]


@staff_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    if not selectors.may_record(request.user, visit):
        return forbidden(request)
    form = FieldSessionForm(request.POST or None, default_kelurahan=visit.kelurahan_id)
    if request.method == "POST" and form.is_valid():
        result = _save(request, visit, form)
        if result is not None:
            if result.session.kind == FieldSession.Kind.DISCLOSURE and result.created:
                # Rendered, not redirected: the codename is shown once and never stored in a cookie or a URL.
                return render(request, "staff/field/done.html", {"visit": visit, "report": result.session.report,
                                                                  "codename": result.codename})
            messages.success(request, _("Sesi tersimpan.") if result.created else _("Sesi ini sudah tersimpan."))
            return redirect("field:visit", pk=visit.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/field/visit.html", {"visit": visit, "form": form, "field_strings": _strings()},
                  status=status)


@staff_required
def visit_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    summary = selectors.visit_summary(request.user, visit)
    return render(request, "staff/field/sessions.html", {"visit": visit, "summary": summary})


def _signed_in_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_verified())  # type: ignore[union-attr,attr-defined]


def _session_key_material(request: HttpRequest) -> tuple[bytes, str, str]:
    """The device key of this signed-in session: derived (core.crypto keyed hash) from the session id, so
    it exists only while the session does and is never stored; its id; the account's tag (not the name)."""
    session_id = request.session.session_key or ""
    raw = bytes.fromhex(crypto.keyed_hash(session_id, purpose="fieldwork-device-key:1")
                        + crypto.keyed_hash(session_id, purpose="fieldwork-device-key:2"))
    key_id = crypto.keyed_hash(session_id, purpose="fieldwork-device-key-id")[:16]
    owner = crypto.keyed_hash(str(request.user.pk), purpose="fieldwork-device-owner")[:16]
    return raw, key_id, owner


@never_cache
@require_GET
def device_key(request: HttpRequest) -> JsonResponse:
    """The AES-GCM key for entries on this device, given only to a signed-in, verified session."""
    if not _signed_in_verified(request):
        return JsonResponse({"error": "signed_out", "message": _("Silakan masuk lagi.")}, status=401)
    if request.session.session_key is None:
        request.session.save()
    raw, key_id, owner = _session_key_material(request)
    return JsonResponse({"key": base64.urlsafe_b64encode(raw).decode().rstrip("="), "key_id": key_id,
                         "owner": owner, "csrf": get_token(request)})


def _entry_data(fields: Any) -> MultiValueDict[str, Any]:
    data: MultiValueDict[str, Any] = MultiValueDict()
    if not isinstance(fields, dict):
        return data
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is True:
                item = "on"
            if item is None or item is False or not isinstance(item, str | int):
                continue
            data.appendlist(str(name), str(item))
    return data


def _sync_one(request: HttpRequest, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        return {"id": None, "status": "invalid", "errors": {"": [_("Catatan tidak terbaca.")]}}
    entry_id = str(entry.get("id") or "")
    visit_id = entry.get("visit")
    visits = selectors.visits_for_recording(request.user)
    visit = visits.filter(pk=visit_id).first() if isinstance(visit_id, int) and not isinstance(visit_id, bool) else None
    if visit is None:
        return {"id": entry_id, "status": "refused", "errors": {"": [_("Kunjungan tidak ditemukan.")]}}
    data = _entry_data(entry.get("fields"))
    data.setlist("client_id", [entry_id])
    data.setlist("recorded_at", [str(entry.get("recorded_at") or "")[:40]])
    form = FieldSessionForm(data, default_kelurahan=visit.kelurahan_id)
    result = _save(request, visit, form) if form.is_valid() else None
    if result is None:
        errors = {("" if name == "__all__" else name): [str(m) for m in msgs] for name, msgs in form.errors.items()}
        return {"id": entry_id, "status": "refused" if getattr(form, "refused", False) else "invalid",
                "errors": errors}
    session = result.session
    return {"id": entry_id, "status": "created" if result.created else "duplicate", "session": session.pk,
            "kind": session.kind,
            "report": session.report.reference if session.report_id and session.report else None}


@never_cache
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Entries from a device, as JSON ``{"entries": [{"id", "visit", "recorded_at", "fields": {...}}]}``
    (at most 25). Session-authenticated and CSRF-checked; idempotent on each entry's id: an entry sent
    again answers ``duplicate`` with the same session and report."""
    if not _signed_in_verified(request):
        return JsonResponse({"error": "signed_out", "message": _("Silakan masuk lagi.")}, status=401)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "invalid_json", "message": _("JSON tidak valid.")}, status=400)
    entries = body.get("entries") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or len(entries) > SYNC_MAX_ENTRIES:
        return JsonResponse({"error": "invalid", "message": _("Kirim 1 sampai 25 catatan.")}, status=400)
    return JsonResponse({"results": [_sync_one(request, entry) for entry in entries]})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, served from its scope (``/staf/lapangan/``). It holds no data."""
    config = {
        "cache": CACHE_NAME, "scope": reverse("field:home"),
        "shell": [static("staff/staff.css"), static("staff/field.css"), static("staff/field.js")],
        "networkOnly": [reverse("field:key"), reverse("field:sync")],
        "offlinePages": "^" + re.escape(reverse("field:home")) + r"(kunjungan/\d+/)?$",
        "offline": _("Halaman ini belum tersimpan di perangkat. Buka sekali saat ada sinyal."),
    }
    # The values are our own URLs and one sentence of ours (no user input reaches the script).
    body = render_to_string("staff/field/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Saling Sapa · " + _("Sesi lapangan"), "short_name": _("Lapangan"), "lang": "id",
        "start_url": reverse("field:home"), "scope": reverse("field:home"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#5b2a86",
        "icons": [{"src": static("staff/field-icon-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("staff/field-icon-512.png"), "sizes": "512x512", "type": "image/png"}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@casework_required
def field_stats(request: HttpRequest) -> HttpResponse:
    """Field sessions counted by kind, kecamatan, kelurahan, topic, sex, age group and month (lead agency only)."""
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today.replace(month=1, day=1))
    end = _date(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    counts = selectors.field_counts(start=start, end=end)
    tables = [(_("Jenis sesi"), counts.by_kind), (_("Kecamatan"), counts.by_kecamatan),
              (_("Kelurahan"), counts.by_kelurahan), (_("Topik konsultasi umum"), counts.by_topic),
              (_("Jenis kelamin"), counts.by_sex), (_("Kelompok umur"), counts.by_age_group),
              (_("Bulan"), counts.by_month)]
    return render(request, "staff/field/stats.html", {"counts": counts, "tables": tables, "start": start, "end": end})
