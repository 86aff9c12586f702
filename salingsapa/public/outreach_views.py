"""Public pages of mobile counselling (``/konseling-keliling/``): the schedule (printable as a
poster), booking a slot, asking for a visit or a call-back, and the person's own booking by
reference + codename (cancel, move). No JavaScript is needed; every page has the quick exit.

Forms only collect text: the rules are ``outreach.schema``'s (the API's), and each error lands on
its field by the error's path (``intake.schema.errors_to_form``). Nothing typed is lost on an error.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from salingsapa.core import codelists
from salingsapa.intake import ratelimit
from salingsapa.intake.schema import errors_to_form
from salingsapa.network.directory import kelurahan_choices
from salingsapa.outreach.models import Booking, Slot, TeamRole, VenueKind, Visit
from salingsapa.outreach.schema import BookingInvalid
from salingsapa.outreach.selectors import visit_public, visits_by_kecamatan, visits_upcoming
from salingsapa.outreach.services import (
    IdempotencyConflict,
    SlotTaken,
    VisitFull,
    VisitNotOpen,
    booking_cancel,
    booking_codename_login,
    booking_create,
    booking_move,
    free_slots,
    request_create,
)
from salingsapa.public.views import _redirect, _too_many, codename_form_check, page

RECEIPT_KEY = "outreach_receipt"
BOOKING_KEY = "outreach_booking"

IDENTITY_CHOICES = [
    ("anonymous", gettext_lazy("Tanpa nama — saya akan mencatat nomor janji dan kode rahasia")),
    ("contact", gettext_lazy("Dengan kontak — hubungi saya untuk pengingat")),
]
CHANNEL_CHOICES = [(slug, label) for slug, label in codelists.choices("preferred_channel") if slug != "none"]


class _ContactFields(forms.Form):
    identity = forms.ChoiceField(label=gettext_lazy("Bagaimana kami mengenali janji Anda?"), choices=IDENTITY_CHOICES,
                                 widget=forms.RadioSelect, initial="anonymous", required=False)
    name = forms.CharField(label=gettext_lazy("Nama atau nama panggilan (boleh samaran)"), required=False,
                           max_length=200)
    phone = forms.CharField(label=gettext_lazy("Nomor telepon / WhatsApp"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}))
    email = forms.CharField(label=gettext_lazy("Email"), required=False, max_length=254,
                            widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}))
    preferred_channel = forms.ChoiceField(label=gettext_lazy("Saluran yang aman untuk menghubungi Anda"),
                                          choices=[("", "—"), *CHANNEL_CHOICES], required=False)
    safe_time = forms.CharField(label=gettext_lazy("Waktu yang aman untuk dihubungi"), required=False, max_length=200,
                                help_text=gettext_lazy("Misalnya: hari kerja setelah jam 19.00."))
    topic = forms.CharField(label=gettext_lazy("Yang ingin dibicarakan (tidak wajib)"), required=False, max_length=500,
                            widget=forms.Textarea(attrs={"rows": 3}))
    kunci = forms.CharField(widget=forms.HiddenInput, required=False)  # idempotency key of this form

    def contact_data(self) -> tuple[bool, dict[str, Any] | None]:
        data = self.cleaned_data
        anonymous = data.get("identity") != "contact"
        if anonymous:
            return True, None
        return False, {"name": data.get("name", ""), "phone": data.get("phone", ""), "email": data.get("email", ""),
                       "preferred_channel": data.get("preferred_channel") or None,
                       "safe_time": data.get("safe_time", "")}


FIELD_OF_PATH = {
    "anonymous": "identity", "contact": "phone", "contact.name": "name", "contact.phone": "phone",
    "contact.email": "email", "contact.preferred_channel": "preferred_channel", "contact.safe_time": "safe_time",
    "topic": "topic", "slot_id": "slot", "kelurahan_code": "kelurahan", "venue_kind": "venue_kind",
    "venue_name": "venue_name", "when": "when", "kind": "kind",
}


class BookingForm(_ContactFields):
    slot = forms.ChoiceField(label=gettext_lazy("Jam"), required=False)
    field_order = ["slot", "identity", "name", "phone", "email", "preferred_channel", "safe_time", "topic", "kunci"]

    def __init__(self, *args: Any, slots: list[Slot], roles: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Jam pertama yang masih kosong"))]
        for slot in slots:
            at = timezone.localtime(slot.starts_at).strftime("%H.%M")
            role = roles.get(slot.professional_id or 0, "")
            choices.append((str(slot.pk), f"{at} · {role}" if role else at))
        cast(forms.ChoiceField, self.fields["slot"]).choices = choices


class RequestForm(_ContactFields):
    kind = forms.ChoiceField(label=gettext_lazy("Apa yang Anda minta?"), widget=forms.RadioSelect, required=False,
                             initial="visit_request", choices=[
                                 ("visit_request", gettext_lazy("Kunjungan konseling keliling ke sekolah atau kelurahan")),
                                 ("callback", gettext_lazy("Dihubungi oleh konselor (telepon, WhatsApp, SMS, email)")),
                             ])
    venue_kind = forms.ChoiceField(label=gettext_lazy("Jenis tempat"), required=False,
                                   choices=[("", "—"), *[(v, lbl) for v, lbl in VenueKind.choices
                                                        if v != VenueKind.RUMAH_KOLABORASI]])
    venue_name = forms.CharField(label=gettext_lazy("Nama sekolah atau tempat"), required=False, max_length=200)
    kelurahan = forms.ChoiceField(label=gettext_lazy("Kelurahan"), required=False)
    when = forms.CharField(label=gettext_lazy("Waktu yang cocok (tidak wajib)"), required=False, max_length=200)
    field_order = ["kind", "venue_kind", "venue_name", "kelurahan", "when", "identity", "name", "phone", "email",
                   "preferred_channel", "safe_time", "topic", "kunci"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = [("", "—"), *kelurahan_choices()]


class LoginForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Nomor janji"), max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
                                error_messages={"required": gettext_lazy("Isi nomor janji.")})
    codename = forms.CharField(label=gettext_lazy("Kode rahasia (7 kata)"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                               error_messages={"required": gettext_lazy("Isi kode rahasia Anda.")})


def _add_errors(form: forms.Form, exc: BookingInvalid) -> None:
    errors_to_form(exc.field_errors, FIELD_OF_PATH, lambda name, message: form.add_error(name or None, message))


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _roles(visit: Visit) -> dict[int, str]:
    return {m.user_id: str(TeamRole(m.role).label) for m in visit.team.all()}


def _named(visit: Visit) -> Visit:
    """The visit with its services' labels in the reader's language (``service_names``)."""
    visit.service_names = [codelists.label("service", s) for s in visit.services]  # type: ignore[attr-defined]
    return visit


def _visit_or_404(visit_id: int) -> Visit:
    visit = visit_public(visit_id)
    if visit is None:
        raise Http404
    return _named(visit)


# --- the schedule ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def schedule(request: HttpRequest) -> HttpResponse:
    visits = [_named(v) for v in visits_upcoming()]
    return page(request, "public/outreach/schedule.html", {"groups": visits_by_kecamatan(visits)})


@require_http_methods(["GET", "HEAD"])
def poster(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_or_404(visit_id)
    return page(request, "public/outreach/poster.html", {
        "visit": visit,
        "schedule_url": request.build_absolute_uri(reverse("outreach_schedule")),
    })


# --- booking a slot --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_or_404(visit_id)
    slots, roles = free_slots(visit), _roles(visit)
    if request.method != "POST":
        form = BookingForm(initial={"kunci": _new_key()}, slots=slots, roles=roles)
        return _book_page(request, visit, form)
    form = BookingForm(request.POST, slots=slots, roles=roles)
    if not form.is_valid():
        return _book_page(request, visit, form, status=400)
    if ratelimit.request_hit(request, purpose="web-booking", limit=settings.BOOKING_RATE_LIMIT,
                             window=settings.BOOKING_RATE_WINDOW):
        return _too_many(request, _("Terlalu banyak permintaan dari perangkat ini. Coba lagi nanti."),
                         settings.BOOKING_RATE_WINDOW)
    anonymous, contact = form.contact_data()
    body: dict[str, Any] = {"anonymous": anonymous, "topic": form.cleaned_data.get("topic", "")}
    if contact is not None:
        body["contact"] = contact
    if form.cleaned_data.get("slot"):
        body["slot_id"] = int(form.cleaned_data["slot"])
    try:
        receipt = booking_create(visit_id=visit.pk, data=body, idempotency_key=form.cleaned_data.get("kunci") or None)
    except BookingInvalid as exc:
        _add_errors(form, exc)
        return _book_page(request, visit, form, status=400)
    except (SlotTaken, IdempotencyConflict):
        form.add_error("slot", _("Jam ini baru saja dipesan orang lain. Pilih jam lain."))
        return _book_page(request, visit, _refreshed(form, visit), status=409)
    except VisitFull:
        return page(request, "public/outreach/full.html", {"visit": visit}, status=409)
    except VisitNotOpen:
        raise Http404 from None
    request.session[RECEIPT_KEY] = {"reference": receipt.reference, "codename": receipt.codename}
    return _redirect(reverse("outreach_done"))


def _refreshed(form: BookingForm, visit: Visit) -> BookingForm:
    """The same answers with today's free slots (and a new key: the old one was spent on another slot)."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: the POST
    data["kunci"] = _new_key()
    data["slot"] = ""
    fresh = BookingForm(data, slots=free_slots(visit), roles=_roles(visit))
    fresh.is_valid()
    for name, errors in form.errors.items():
        for error in errors:
            fresh.add_error(name if name != "__all__" else None, error)
    return fresh


def _book_page(request: HttpRequest, visit: Visit, form: BookingForm, status: int = 200) -> HttpResponse:
    return page(request, "public/outreach/book.html", {
        "visit": visit, "form": form,
    }, status=status)


@require_http_methods(["GET", "HEAD"])
def done(request: HttpRequest) -> HttpResponse:
    receipt = request.session.pop(RECEIPT_KEY, None)
    if not receipt:
        return _redirect(reverse("outreach_manage"))
    booking = Booking.objects.filter(reference=receipt["reference"]).select_related("slot__visit__kelurahan").first()
    return page(request, "public/outreach/done.html", {"receipt": receipt, "booking": booking})


# --- asking for a visit or a call-back -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"kunci": _new_key()}
        if request.GET.get("jenis") == "telepon":
            initial.update(kind="callback", identity="contact")
        return page(request, "public/outreach/ask.html", {"form": RequestForm(initial=initial)})
    form = RequestForm(request.POST)
    if not form.is_valid():
        return page(request, "public/outreach/ask.html", {"form": form}, status=400)
    if ratelimit.request_hit(request, purpose="web-booking", limit=settings.BOOKING_RATE_LIMIT,
                             window=settings.BOOKING_RATE_WINDOW):
        return _too_many(request, _("Terlalu banyak permintaan dari perangkat ini. Coba lagi nanti."),
                         settings.BOOKING_RATE_WINDOW)
    data = form.cleaned_data
    anonymous, contact = form.contact_data()
    body: dict[str, Any] = {
        "kind": data.get("kind") or "visit_request", "anonymous": anonymous, "kelurahan_code": data.get("kelurahan", ""),
        "venue_kind": data.get("venue_kind", ""), "venue_name": data.get("venue_name", ""),
        "when": data.get("when", ""), "topic": data.get("topic", ""),
    }
    if contact is not None:
        body["contact"] = contact
    try:
        receipt = request_create(data=body, idempotency_key=data.get("kunci") or None)
    except BookingInvalid as exc:
        _add_errors(form, exc)
        return page(request, "public/outreach/ask.html", {"form": form}, status=400)
    except IdempotencyConflict:
        form.add_error(None, _("Permintaan ini sudah terkirim. Muat ulang halaman untuk membuat permintaan baru."))
        return page(request, "public/outreach/ask.html", {"form": form}, status=409)
    request.session[RECEIPT_KEY] = {"reference": receipt.reference, "codename": receipt.codename}
    return _redirect(reverse("outreach_done"))


# --- the person's own booking: reference + codename ----------------------------------------------


def _own_booking(request: HttpRequest) -> Booking | None:
    pk = request.session.get(BOOKING_KEY)
    if not isinstance(pk, int):
        return None
    return Booking.objects.filter(pk=pk).select_related("slot__visit__kelurahan__parent").first()


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The person's booking once opened in this session; else the reference + codename form, checked as
    a report's is (``public.views.codename_form_check``: the same limits on every channel)."""
    if request.method == "POST":
        opened = codename_form_check(
            request, LoginForm(request.POST), template="public/outreach/login.html", login=booking_codename_login,
            wrong=_("Nomor janji atau kode rahasia salah. Periksa lagi."))
        if isinstance(opened, HttpResponse):
            return opened
        request.session.cycle_key()
        request.session[BOOKING_KEY] = opened.pk
        return _redirect(reverse("outreach_manage"))
    booking = _own_booking(request)
    if booking is not None:
        return _booking_page(request, booking)
    return page(request, "public/outreach/login.html", {"form": LoginForm()})


def _booking_page(request: HttpRequest, booking: Booking, *, error: str = "", status: int = 200) -> HttpResponse:
    movable: list[Slot] = []
    visit = booking.slot.visit if booking.slot else None
    if booking.status == Booking.Status.ACTIVE and visit is not None and visit.status == Visit.Status.PUBLISHED:
        movable = free_slots(visit)
    return page(request, "public/outreach/booking.html", {
        "booking": booking, "visit": visit, "movable": movable, "error": error,
    }, status=status)


@require_http_methods(["POST"])
def manage_cancel(request: HttpRequest) -> HttpResponse:
    booking = _own_booking(request)
    if booking is None:
        return _redirect(reverse("outreach_manage"))
    booking_cancel(booking=booking)
    return _redirect(reverse("outreach_manage"))


@require_http_methods(["POST"])
def manage_move(request: HttpRequest) -> HttpResponse:
    booking = _own_booking(request)
    if booking is None:
        return _redirect(reverse("outreach_manage"))
    try:
        booking_move(booking=booking, slot_id=int(request.POST.get("slot", "")))
    except (ValueError, SlotTaken, VisitNotOpen):
        fresh = _own_booking(request)
        return _booking_page(request, fresh or booking, error=_("Jam itu tidak bisa dipilih lagi. Pilih jam lain."),
                             status=409)
    return _redirect(reverse("outreach_manage"))


@require_http_methods(["POST"])
def manage_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(BOOKING_KEY, None)
    return _redirect(reverse("outreach_schedule"))
