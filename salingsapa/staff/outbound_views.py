"""Staff pages for outbound messages (issue 12): the list of messages sent by the system
(supervisors and administrators), do-not-contact on a report's number, and one's own
notification preference. Thin views over ``notify.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salingsapa.accounts.models import Role
from salingsapa.intake.access import access_report
from salingsapa.notify.models import OutboundMessage
from salingsapa.notify.services import address_index_do_not_contact, mask_address, staff_preference_set
from salingsapa.staff.common import forbidden, page_of
from salingsapa.staff.decorators import casework_required, staff_required
from salingsapa.staff.outbound_forms import DoNotContactForm, PreferenceForm

PURPOSES = {
    "reporter_notice": gettext_lazy("Pemberitahuan ke pelapor"),
    "staff_alert": gettext_lazy("Peringatan untuk staf"),
    "conversation": gettext_lazy("Percakapan WhatsApp"),
}


@staff_required
def outbound_list(request: HttpRequest) -> HttpResponse:
    """Every outbound message: status, attempts, last error; the address masked, never the content."""
    user: Any = request.user
    if not (user.is_supervisor or user.role == Role.ADMIN):
        return forbidden(request)
    status = request.GET.get("status", "")
    rows = OutboundMessage.objects.defer("content").order_by("-created_at", "-id")
    if status in OutboundMessage.Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = page_of(request, rows)
    for message in page:
        message.masked = mask_address(message.address)  # type: ignore[attr-defined]
        message.purpose_label = PURPOSES.get(message.purpose, message.purpose)  # type: ignore[attr-defined]
    return render(request, "staff/outbound_list.html", {
        "page": page, "status": status, "statuses": OutboundMessage.Status.choices,
    })


@casework_required
@require_POST
def report_do_not_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark (or, for supervisors, clear) "do not contact" on the reporter's phone number."""
    user: Any = request.user
    report = access_report(user, pk, purpose="do_not_contact")
    form = DoNotContactForm(request.POST)
    if not report.contact_phone_index:
        messages.error(request, _("Pengaduan ini tidak mempunyai nomor telepon."))
    elif not form.is_valid():
        messages.error(request, _("Tulis alasannya (misalnya: ponsel dipegang pelaku)."))
    elif form.cleaned_data["allow"]:
        if not user.is_supervisor:
            return forbidden(request)
        address_index_do_not_contact(actor=user, channel="whatsapp", index=report.contact_phone_index,
                                     reason="", blocked=False)
        messages.success(request, _("Nomor ini boleh dihubungi lagi."))
    else:
        stopped = address_index_do_not_contact(actor=user, channel="whatsapp", index=report.contact_phone_index,
                                               reason=form.cleaned_data["reason"])
        messages.success(request, _("Nomor ini ditandai jangan dihubungi; %(n)d pesan yang masih antre ditahan.")
                         % {"n": stopped})
    return redirect("staff:report", pk=report.pk)


@staff_required
def preferences(request: HttpRequest) -> HttpResponse:
    """One's own choice: alerts in the app only, or also by email or WhatsApp."""
    user: Any = request.user
    form = PreferenceForm(request.POST or None, initial={"notify_by": user.notify_by, "phone": user.notify_phone})
    if request.method == "POST" and form.is_valid():
        how, phone = form.cleaned_data["notify_by"], form.cleaned_data["phone"]
        if how == "email" and not user.email:
            form.add_error("notify_by", _("Akun Anda belum mempunyai alamat email; minta administrator mengisinya."))
        else:
            try:
                staff_preference_set(actor=user, notify_by=how, phone=phone if how == "whatsapp" else "")
            except ValueError:
                form.add_error("phone", _("Tulis nomor WhatsApp yang valid, misalnya 0812 3456 7890."))
            else:
                messages.success(request, _("Pilihan pemberitahuan disimpan."))
                return redirect("staff_outbound:preferences")
    return render(request, "staff/notify_preferences.html", {"form": form}, status=400 if form.errors else 200)
