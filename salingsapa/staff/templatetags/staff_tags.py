from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from salingsapa.cases import timeline
from salingsapa.cases.models import CaseEvent
from salingsapa.core import codelists

register = template.Library()


@register.filter
def timeline_text(event: CaseEvent) -> str:
    """A timeline entry's sentence in the reader's language: ``{{ event|timeline_text }}``."""
    return timeline.event_text(event)


@register.filter
def codelabel(value: str, list_name: str) -> str:
    """The label of a code-list slug in the user's language: ``{{ person.sex|codelabel:"sex" }}``."""
    if not value:
        return ""
    return codelists.label(list_name, value, get_language() or "id")


@register.filter
def bound_field(form: Any, name: str) -> dict[str, Any] | None:
    """For an error summary: the label of a visible field and the id of the control a link should focus
    (the first box of a checkbox/radio group). ``None`` for non-field and hidden-field errors."""
    if name not in getattr(form, "fields", {}):
        return None
    bound = form[name]
    if bound.is_hidden or not bound.auto_id:
        return None
    control_id = f"{bound.auto_id}_0" if bound.use_fieldset else bound.id_for_label
    return {"label": bound.label, "control_id": control_id}
