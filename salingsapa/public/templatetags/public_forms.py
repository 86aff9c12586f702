"""Form rendering helpers for the public pages: errors and hints tied to their controls."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


def describedby_ids(field: Any) -> str:
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    if field.help_text:
        ids.append(f"{field.auto_id}_hint")
    return " ".join(ids)


@register.filter
def described(field: Any) -> SafeString:
    """The field's widget with ``aria-describedby`` (its error and hint) and ``aria-invalid``."""
    attrs: dict[str, str] = {}
    ids = describedby_ids(field)
    if ids:
        attrs["aria-describedby"] = ids
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field: Any) -> str:
    return describedby_ids(field)


@register.filter
def control_id(field: Any) -> str:
    """The id of the control a link to this field should focus (the first option of a group)."""
    if field.field.widget.use_fieldset:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id
