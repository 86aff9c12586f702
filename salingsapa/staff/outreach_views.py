"""Mobile-counselling pages for staff (``/staf/keliling/``): each professional's rota with its
bookings (reference and slot only), the visits (planners create, publish, cancel and make slots),
and the requests for a visit or a call-back. A booking is opened only through
``outreach.access.access_booking`` (scoped, audited); an anonymous booking has no name to show."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salingsapa.accounts.models import Organisation, Role, User
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.network.directory import kelurahan_choices
from salingsapa.outreach import services
from salingsapa.outreach.access import access_booking
from salingsapa.outreach.models import Booking, TeamRole, VenueKind, Visit
from salingsapa.outreach.selectors import bookings_for, can_plan_visits, rota_for, visits_for
from salingsapa.staff.common import first_error, forbidden, page_of
from salingsapa.staff.decorators import staff_required

TEAM_ROWS = 4


def outreach_staff_required(view: Any) -> Any:
    """Signed in with both factors, and working with people: lead-agency casework roles or a partner
    professional (media partners and administrators have no rota)."""

    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user: Any = request.user
        if not (user.is_lead_agency_staff or user.role == Role.PARTNER):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _team_users() -> Any:
    """Who can be on a team: active staff of the lead agency and professionals of partner services."""
    return (User.objects.filter(is_active=True)
            .filter(Q(role__in=[Role.COUNSELLOR, Role.CASE_MANAGER, Role.SUPERVISOR], organisation__kind=Organisation.Kind.UPTD_PPA)
                    | Q(role=Role.PARTNER))
            .exclude(organisation__kind=Organisation.Kind.MEDIA)
            .select_related("organisation").order_by("first_name", "username"))


class VisitForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Jam mulai"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=gettext_lazy("Jam selesai"), widget=forms.TimeInput(attrs={"type": "time"}))
    kelurahan = forms.ChoiceField(label=gettext_lazy("Kelurahan"))
    venue_kind = forms.ChoiceField(label=gettext_lazy("Jenis tempat"), choices=VenueKind.choices)
    venue_name = forms.CharField(label=gettext_lazy("Nama tempat"), max_length=200)
    services = forms.MultipleChoiceField(label=gettext_lazy("Layanan"), required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=codelists.choices("service"))
    public_note = forms.CharField(label=gettext_lazy("Catatan untuk umum (tidak wajib)"), max_length=300, required=False)
    minutes = forms.IntegerField(label=gettext_lazy("Lama tiap slot janji (menit)"), min_value=10, max_value=240,
                                 initial=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = [("", "—"), *kelurahan_choices()]
        people = [("", "—")] + [(str(u.pk), f"{u.display_name} ({u.organisation or '-'})") for u in _team_users()]
        for i in range(TEAM_ROWS):
            self.fields[f"member_{i}"] = forms.ChoiceField(label=gettext_lazy("Anggota tim %(n)d") % {"n": i + 1},
                                                           choices=people, required=False)
            self.fields[f"role_{i}"] = forms.ChoiceField(label=gettext_lazy("Peran anggota %(n)d") % {"n": i + 1},
                                                         choices=TeamRole.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("Jam selesai harus setelah jam mulai."))
        date = data.get("date")
        if date and date < timezone.localdate():
            self.add_error("date", _("Tanggal kunjungan tidak boleh di masa lalu."))
        return data

    def team(self) -> list[tuple[User, str]]:
        ids = {int(self.cleaned_data[f"member_{i}"]): self.cleaned_data.get(f"role_{i}") or TeamRole.COUNSELLOR
               for i in range(TEAM_ROWS) if self.cleaned_data.get(f"member_{i}")}
        users = {u.pk: u for u in _team_users().filter(pk__in=list(ids))}
        return [(users[pk], role) for pk, role in ids.items() if pk in users]


@outreach_staff_required
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    planner = can_plan_visits(user)
    today = timezone.localdate()
    visits = visits_for(user).filter(date__gte=today - dt.timedelta(days=7)).order_by("date", "start_time")
    requests = bookings_for(user).filter(slot__isnull=True, status=Booking.Status.ACTIVE) if (
        planner or user.is_lead_agency_staff) else Booking.objects.none()
    return render(request, "staff/outreach/index.html", {
        "rota": list(rota_for(user)),
        "visits": page_of(request, visits),
        "requests": list(requests.order_by("created_at")[:50]),
        "planner": planner,
    })


@outreach_staff_required
def visit_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_plan_visits(user):
        return forbidden(request)
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            kelurahan = Region.objects.filter(code=data["kelurahan"], level=Region.Level.VILLAGE).first()
            if kelurahan is None:
                form.add_error("kelurahan", _("Pilih kelurahan."))
            else:
                visit = services.visit_create(
                    by=user, date=data["date"], start_time=data["start_time"], end_time=data["end_time"],
                    kelurahan=kelurahan, venue_kind=data["venue_kind"], venue_name=data["venue_name"],
                    services=data["services"], public_note=data["public_note"], team=form.team())
                services.slots_generate(by=user, visit=visit, minutes=data["minutes"])
                messages.success(request, _("Kunjungan disimpan sebagai draf. Periksa, lalu umumkan."))
                return HttpResponseRedirect(reverse("outreach:visit", args=[visit.pk]))
        return render(request, "staff/outreach/visit_form.html", {"form": form, "error": first_error(form)},
                      status=400)
    return render(request, "staff/outreach/visit_form.html", {"form": form})


def _visit(user: Any, pk: int) -> Visit:
    visit = visits_for(user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


@outreach_staff_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    visit = _visit(user, pk)
    planner = can_plan_visits(user)
    slots = visit.slots.select_related("professional").order_by("starts_at", "professional_id")
    active = {b.slot_id: b for b in Booking.objects.filter(slot__visit=visit, status=Booking.Status.ACTIVE)}
    rows = [{"slot": s, "booking": active.get(s.pk),
             "mine": s.professional_id == user.pk} for s in slots if planner or s.professional_id == user.pk]
    return render(request, "staff/outreach/visit.html", {
        "visit": visit, "team": visit.team.select_related("user__organisation"), "rows": rows,
        "planner": planner, "service_names": [codelists.label("service", s) for s in visit.services],
        "booked": len(active), "slot_count": len(slots),
    })


@outreach_staff_required
@require_POST
def visit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    if not can_plan_visits(user):
        return forbidden(request)
    visit = _visit(user, pk)
    back = HttpResponseRedirect(reverse("outreach:visit", args=[visit.pk]))
    if action == "umumkan" and visit.status == Visit.Status.DRAFT:
        services.visit_publish(by=user, visit=visit)
        messages.success(request, _("Kunjungan diumumkan di halaman publik."))
    elif action == "batalkan" and visit.status != Visit.Status.CANCELLED:
        n = services.visit_cancel(by=user, visit=visit)
        messages.success(request, _("Kunjungan dibatalkan; %(n)d janji ikut dibatalkan.") % {"n": n})
    elif action == "slot" and visit.status != Visit.Status.CANCELLED:
        try:
            minutes = int(request.POST.get("minutes", "30"))
            added = services.slots_generate(by=user, visit=visit, minutes=minutes)
        except ValueError:
            messages.error(request, _("Lama slot harus 10–240 menit."))
        else:
            messages.success(request, _("%(n)d slot ditambahkan.") % {"n": added})
    else:
        raise Http404
    return back


@outreach_staff_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = access_booking(request.user, pk, purpose="booking")  # audited read (contact details)
    channel = codelists.label("preferred_channel", booking.preferred_channel) if booking.preferred_channel else ""
    return render(request, "staff/outreach/booking.html", {"booking": booking, "channel_label": channel})


@outreach_staff_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = access_booking(request.user, pk, purpose=f"booking:{action}")
    if action == "selesai":
        services.booking_done(booking=booking, by=request.user)
        messages.success(request, _("Janji ditandai selesai."))
    elif action == "batalkan":
        services.booking_cancel(booking=booking, by=request.user)
        messages.success(request, _("Janji dibatalkan."))
    else:
        raise Http404
    return HttpResponseRedirect(reverse("outreach:booking", args=[booking.pk]))
