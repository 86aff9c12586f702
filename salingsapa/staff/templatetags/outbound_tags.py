"""``{% contact_safety report %}``: the do-not-contact state and form on a report page."""

from __future__ import annotations

from typing import Any

from django import template

from salingsapa.notify.models import ContactAddress

register = template.Library()


@register.inclusion_tag("staff/_contact_safety.html", takes_context=True)
def contact_safety(context: Any, report: Any) -> dict[str, Any]:
    marked = None
    if report.contact_phone_index:
        marked = ContactAddress.objects.filter(
            address_index=report.contact_phone_index, channel__in=["whatsapp", "sms"], do_not_contact=True
        ).select_related("do_not_contact_by").first()
    return {"report": report, "marked": marked, "user": context["user"], "csrf_token": context.get("csrf_token")}
