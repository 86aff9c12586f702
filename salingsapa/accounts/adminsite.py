"""Django's admin behind the same door as the staff app (issue 9 finding 1).

* There is no admin sign-in form: ``/admin/login/`` sends the browser to the staff sign-in
  (``/staf/masuk/?next=/admin/...``), so the administrator passes the same password check, the
  same atomic lockout, the same second factor and the same audit entries as every staff member.
* A page of the admin opens only for an active staff account whose session was verified with a
  second factor (``request.user.is_verified()``, django-otp) — a password-only session is refused.
* Every addition, change and deletion made through the admin is written to the hash-chained audit
  log (model and object id; changed field names for accounts), and account changes that could
  open case content are alerted to the supervisors (``accounts.services.account_change_record``).
* Sign-out from the admin is audited like sign-out from the staff app, and an administrator's change of
  their own password (``/admin/password_change/``) is audited and alerted like any account change.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_POST

from salingsapa.accounts.services import account_change_record
from salingsapa.core.audit import audit_log


def _object_type(obj: Model | type[Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _audit_admin_write(request: HttpRequest, action: str, obj: Model | type[Model], object_id: Any) -> None:
    """The audit entry of one write made through the admin: who, what, which row; never the values."""
    audit_log(actor=request.user, action=action, object_type=_object_type(obj), object_id=object_id,
              detail={"via": "admin"})


class AuditedAdminMixin:
    """Writes an audit entry for every change made through the admin (no values, ever)."""

    audit_generic = True  # an admin that writes its own, more precise entries turns this off

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        if self.audit_generic:
            _audit_admin_write(request, "create", obj, obj.pk)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        if self.audit_generic:
            _audit_admin_write(request, "update", obj, obj.pk)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for pk in ids:
            _audit_admin_write(request, "delete", queryset.model, pk)
        return entries


class StaffDoorAdminSite(admin.AdminSite):
    site_header = "Saling Sapa — Administrasi"
    site_title = "Saling Sapa"
    index_title = "Administrasi"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every ModelAdmin registered here is audited (its class gains :class:`AuditedAdminMixin`)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(f"Audited{admin_class.__name__}", (AuditedAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_verified", lambda: False)())

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        """No admin sign-in form: the staff sign-in (password, lockout, second factor, audit) is the one door."""
        next_url = request.GET.get("next") or request.path.replace("login/", "")
        if not next_url.startswith("/admin/"):
            next_url = "/admin/"
        if request.user.is_authenticated and getattr(request.user, "is_verified", lambda: False)():
            # Signed in with both factors but not an administrator: say so instead of looping.
            audit_log(actor=request.user, action="denied", object_type="admin", detail={"reason": "not_staff"})
            raise PermissionDenied
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}")

    def logout(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        return _admin_logout(request)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        """An administrator changing their own password: audited and alerted like a change made to anyone else."""
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
            account_change_record(actor=request.user, user=request.user, created=False, fields=["password"])
        return response


@require_POST
def _admin_logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log(actor=request.user, action="logout", object_type="user", object_id=request.user.pk,
                  detail={"reason": "user", "via": "admin"})
    auth_logout(request)
    return HttpResponseRedirect(settings.LOGIN_URL)
