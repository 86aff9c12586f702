from __future__ import annotations

from django import template
from django.utils.translation import get_language

from salingsapa.core import codelists

register = template.Library()


@register.filter
def codelabel(value: str, list_name: str) -> str:
    """The label of a code-list slug in the user's language: ``{{ person.sex|codelabel:"sex" }}``."""
    if not value:
        return ""
    return codelists.label(list_name, value, get_language() or "id")
