"""Mobile-counselling pages for staff (``/staf/keliling/``): each professional's rota with its
bookings (reference and slot only), the visits (planners create, edit, publish, unpublish, cancel and
make slots; every change of a visit carries its ``version``, so two tabs never silently overwrite each
other), and the requests for a visit or a call-back. A booking is opened only through
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
from salingsapa.staff.forms import DateInput

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
    # ISO formats: a date or time field shows a value only in them (the locale's "09.00" would be empty)
    date = forms.DateField(label=gettext_lazy("Tanggal"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Jam mulai"),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=gettext_lazy("Jam selesai"),
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    kelurahan = forms.ChoiceField(label=gettext_lazy("Kelurahan"))
    venue_kind = forms.ChoiceField(label=gettext_lazy("Jenis tempat"), choices=VenueKind.choices)
    venue_name = forms.CharField(label=gettext_lazy("Nama tempat"), max_length=200)
    services = forms.MultipleChoiceField(label=gettext_lazy("Layanan"), required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=codelists.choices("service"))
    public_note = forms.CharField(label=gettext_lazy("Catatan untuk umum (tidak wajib)"), max_length=300, required=False)
    minutes = forms.IntegerField(label=gettext_lazy("Lama tiap slot janji (menit)"), min_value=10, max_value=240,
                                 initial=30)

    def __init__(self, *args: Any, team_rows: int = TEAM_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_rows = team_rows
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = [("", "—"), *kelurahan_choices()]
        people = [("", "—")] + [(str(u.pk), f"{u.display_name} ({u.organisation or '-'})") for u in _team_users()]
        for i in range(team_rows):
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
               for i in range(self.team_rows) if self.cleaned_data.get(f"member_{i}")}
        users = {u.pk: u for u in _team_users().filter(pk__in=list(ids))}
        return [(users[pk], role) for pk, role in ids.items() if pk in users]


class VisitEditForm(VisitForm):
    slot_count = forms.IntegerField(label=gettext_lazy("Jumlah slot janji"), min_value=0, max_value=500,
                                    help_text=gettext_lazy("Tidak boleh kurang dari janji yang sudah dipesan."))
    published = forms.BooleanField(label=gettext_lazy("Tampilkan di jadwal publik (bisa dipesan)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = ["published", "version"]
        self.order_fields([name for name in self.fields if name not in last] + last)

    @classmethod
    def initial_of(cls, visit: Visit) -> dict[str, Any]:
        slots = list(visit.slots.values_list("minutes", flat=True))
        initial: dict[str, Any] = {
            "date": visit.date, "start_time": visit.start_time, "end_time": visit.end_time,
            "kelurahan": visit.kelurahan.code, "venue_kind": visit.venue_kind, "venue_name": visit.venue_name,
            "services": list(visit.services), "public_note": visit.public_note,
            "minutes": max(set(slots), key=slots.count) if slots else 30, "slot_count": len(slots),
            "published": visit.status == Visit.Status.PUBLISHED, "version": visit.version,
        }
        for i, member in enumerate(visit.team.order_by("id")):
            initial[f"member_{i}"], initial[f"role_{i}"] = str(member.user_id), member.role
        return initial


CONFLICT = gettext_lazy("Kunjungan ini telah diubah oleh orang lain. Muat ulang halaman lalu ulangi perubahan Anda.")


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
        "booked": len(active), "slot_count": len(slots), "editable": _editable(visit),
    })


def _editable(visit: Visit) -> bool:
    return visit.status != Visit.Status.CANCELLED and visit.date >= timezone.localdate()


def _as_saved(visit: Visit, data: dict[str, Any], team: list[tuple[User, str]]) -> bool:
    """The visit already is what the form asks for (a second click of the same form: nothing to do)."""
    current = VisitEditForm.initial_of(visit)
    same = all(current[name] == data[name] for name in ("date", "start_time", "end_time", "kelurahan", "venue_kind",
                                                         "venue_name", "public_note", "slot_count", "published"))
    return same and sorted(current["services"]) == sorted(data["services"]) and sorted(
        visit.team.values_list("user_id", "role")) == sorted((u.pk, role) for u, role in team)


@outreach_staff_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a visit (hours, place, team, number of slots, on the public schedule or not). The people
    whose appointment moves are told (``outreach.services.visit_update``)."""
    user: Any = request.user
    if not can_plan_visits(user):
        return forbidden(request)
    visit = _visit(user, pk)
    back = HttpResponseRedirect(reverse("outreach:visit", args=[visit.pk]))
    if not _editable(visit):
        messages.error(request, _("Kunjungan yang dibatalkan atau sudah lewat tidak bisa diubah."))
        return back
    rows = max(TEAM_ROWS, visit.team.count() + 1)
    if request.method != "POST":
        form = VisitEditForm(initial=VisitEditForm.initial_of(visit), team_rows=rows)
        return _edit_page(request, visit, form)
    form = VisitEditForm(request.POST, team_rows=rows)
    if not form.is_valid():
        return _edit_page(request, visit, form, error=first_error(form), status=400)
    data = form.cleaned_data
    kelurahan = Region.objects.filter(code=data["kelurahan"], level=Region.Level.VILLAGE).first()
    if kelurahan is None:
        form.add_error("kelurahan", _("Pilih kelurahan."))
        return _edit_page(request, visit, form, error=first_error(form), status=400)
    team = form.team()
    try:
        change = services.visit_update(
            by=user, visit=visit, expected_version=data["version"], date=data["date"], start_time=data["start_time"],
            end_time=data["end_time"], kelurahan=kelurahan, venue_kind=data["venue_kind"],
            venue_name=data["venue_name"], services=data["services"], public_note=data["public_note"], team=team,
            slot_count=data["slot_count"], minutes=data["minutes"], publish=data["published"])
    except services.VisitConflict:
        visit.refresh_from_db()
        if _as_saved(visit, data, team):  # the same form sent twice (a double click, a resubmit after Back)
            messages.info(request, _("Perubahan ini sudah tersimpan."))
            return back
        return _edit_page(request, visit, form, error=CONFLICT, status=409)
    except services.VisitEditRefused as exc:
        form.add_error(exc.field, exc.message)
        return _edit_page(request, visit, form, error=first_error(form), status=400)
    if not change.fields:
        messages.info(request, _("Tidak ada yang diubah."))
    elif change.moved:
        messages.success(request, _("Kunjungan diubah. %(moved)d janji ikut berubah; %(told)d orang diberi tahu lewat "
                                     "saluran pilihan mereka, yang lain melihatnya dengan kode rahasia.")
                         % {"moved": change.moved, "told": change.notified})
    else:
        messages.success(request, _("Kunjungan diubah."))
    return back


def _edit_page(request: HttpRequest, visit: Visit, form: VisitEditForm, *, error: Any = None,
               status: int = 200) -> HttpResponse:
    booked = Booking.objects.filter(slot__visit=visit, status=Booking.Status.ACTIVE).count()
    return render(request, "staff/outreach/visit_form.html",
                  {"form": form, "visit": visit, "error": error, "booked": booked}, status=status)


@outreach_staff_required
@require_POST
def visit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    if not can_plan_visits(user):
        return forbidden(request)
    visit = _visit(user, pk)
    back = HttpResponseRedirect(reverse("outreach:visit", args=[visit.pk]))
    if action not in {"umumkan", "tarik", "batalkan", "slot"}:
        raise Http404
    if visit.status == Visit.Status.CANCELLED:  # also the second click of "Batalkan kunjungan"
        messages.info(request, _("Kunjungan ini sudah dibatalkan."))
        return back
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None  # an old page without the version: the change still applies once
    try:
        if action == "umumkan":
            services.visit_publish(by=user, visit=visit, expected_version=version)
            messages.success(request, _("Kunjungan diumumkan di halaman publik."))
        elif action == "tarik":
            services.visit_unpublish(by=user, visit=visit, expected_version=version)
            messages.success(request, _("Kunjungan ditarik dari jadwal publik. Janji yang sudah ada tetap berlaku."))
        elif action == "batalkan":
            n = services.visit_cancel(by=user, visit=visit, expected_version=version)
            messages.success(request, _("Kunjungan dibatalkan; %(n)d janji ikut dibatalkan dan orangnya diberi tahu.")
                             % {"n": n})
        else:
            minutes = int(request.POST.get("minutes", "30"))
            added = services.slots_generate(by=user, visit=visit, minutes=minutes)
            messages.success(request, _("%(n)d slot ditambahkan.") % {"n": added})
    except services.VisitConflict:
        messages.error(request, CONFLICT)
    except services.VisitEditRefused as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Lama slot harus 10–240 menit."))
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
