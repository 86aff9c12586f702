"""Admin for organisations and users (staff only). Case data is never shown here.

Second-factor devices are not registered: an administrator can neither see a TOTP secret or
recovery code nor enrol a device for someone else. They can only *reset* a user's second factor
(an action on the user list), which makes that user enrol their own app at the next sign-in.
Every account change is audited with the names of the changed fields, and changes that could open
case content (role, organisation, flags, password, groups) are alerted to the supervisors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from salingsapa.accounts.adminsite import AuditedAdminMixin
from salingsapa.accounts.models import Organisation, User
from salingsapa.accounts.services import account_change_record, second_factor_reset


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
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_generic = False  # save_model writes the entry, with the changed field names
    list_display = ("username", "first_name", "last_name", "role", "organisation", "on_duty", "is_active", "is_staff")
    list_filter = ("role", "organisation", "on_duty", "is_active", "is_staff", "is_superuser")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    actions = ["reset_second_factor"]
    fieldsets = (  # type: ignore[assignment]
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Peran dan organisasi"), {"fields": ("role", "organisation", "on_duty")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Peran dan organisasi"), {"fields": ("role", "organisation", "on_duty")}),
    )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        fields = [name for name in form.changed_data if name not in {"password1", "password2"}]
        if not change or {"password1", "password2"} & set(form.changed_data):
            fields.append("password")
        account_change_record(actor=request.user, user=form.instance, created=not change, fields=fields)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                account_change_record(actor=request.user, user=user, created=False, fields=["password"])
        return response

    @admin.action(description=_("Atur ulang verifikasi dua langkah (pengguna mendaftar ulang saat masuk)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            second_factor_reset(actor=request.user, user=user, reason="admin")
            count += 1
        self.message_user(request, ngettext(
            "Verifikasi dua langkah %(count)d pengguna diatur ulang; ia mendaftarkan aplikasi baru saat masuk.",
            "Verifikasi dua langkah %(count)d pengguna diatur ulang; mereka mendaftarkan aplikasi baru saat masuk.",
            count) % {"count": count}, messages.SUCCESS)
