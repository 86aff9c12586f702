"""Admin for reference data (regions, code lists) and a read-only view of the audit log.

Each app registers its own models (``cases/admin.py`` the case register); ``ReadOnlyAdmin`` here is
the base for lists administrators may look at but not change. Reports and persons are deliberately
NOT registered: they hold personal and sensitive data and are worked in the staff app, through the
access helpers that scope and audit every read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from salingsapa.core.models import AuditEvent, Code, Region


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    """Regions come from Kemendagri codes (``salingsapa load-reference``); never edited by hand."""

    list_display = ("code", "name", "level", "kind", "parent", "postal_code")
    list_filter = ("level", "kind")
    search_fields = ("^code", "name")
    list_select_related = ("parent",)
    list_per_page = 100


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Code-list labels may be corrected and entries retired; slugs stay (stored data and exports use them)."""

    list_display = ("list", "slug", "label_id", "label_en", "parent", "order", "active")
    list_filter = ("list", "active")
    search_fields = ("slug", "label_id", "label_en")
    list_editable = ("active",)
    list_per_page = 100

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("list", "slug") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # incidents refer to codes; retire an entry with "aktif" instead


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_type", "=object_id")
    date_hierarchy = "at"
    list_per_page = 100
