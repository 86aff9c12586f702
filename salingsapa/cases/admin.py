"""Admin for the cases app: the case register only (internal-class fields, read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from salingsapa.cases.models import Case
from salingsapa.core.admin import ReadOnlyAdmin


@admin.register(Case)
class CaseRegisterAdmin(ReadOnlyAdmin):
    """The case register for administrators: numbers, dates, status and area only.

    No names, summaries, narratives or other personal/sensitive fields, no detail page and no
    search: the case file itself is opened in the staff app through ``access_case`` (scoped and
    audited). Listing internal-class fields is not a read of sensitive content (see cases/access.py).
    """

    list_display = ("number", "reported_at", "status", "risk_level", "is_emergency", "channel", "kelurahan",
                    "organisation")
    list_display_links = None
    list_filter = ("year", "status", "risk_level", "channel")
    list_select_related = ("kelurahan", "organisation")
    date_hierarchy = "reported_at"
    fields = ("number", "reported_at", "status", "risk_level", "channel", "kelurahan", "organisation")
    list_per_page = 100
    show_full_result_count = False  # cheap on a million cases

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser) and obj is None
