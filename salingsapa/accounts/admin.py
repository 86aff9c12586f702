"""Admin for organisations and users (staff only). Case data is never shown here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from salingsapa.accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "region", "capacity_per_month", "is_public", "active")
    list_filter = ("kind", "active", "is_public")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region", "service_area")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "services", "active", "is_public")}),
        (_("Wilayah"), {"fields": ("region", "service_area")}),
        (_("Kontak dan kapasitas"),
         {"fields": ("address", "phone", "email", "opening_hours", "capacity_per_month")}),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "on_duty", "is_active", "is_staff")
    list_filter = ("role", "organisation", "on_duty", "is_active", "is_staff", "is_superuser")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    fieldsets = (  # type: ignore[assignment]
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Peran dan organisasi"), {"fields": ("role", "organisation", "on_duty")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Peran dan organisasi"), {"fields": ("role", "organisation", "on_duty")}),
    )
