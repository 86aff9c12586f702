"""Staff sign-in: password, then a second factor (TOTP app, or a one-time recovery code).

A user without a confirmed TOTP device enrols one right after the password step (QR code shown
as an inline ``data:`` PNG; no external request) and receives ten recovery codes, shown once.
Sign-in, failed sign-in and sign-out are written to the audit log (without the username typed).
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import qrcode
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from salingsapa.accounts.models import AuthenticatorDevice, RecoveryCodeDevice
from salingsapa.accounts.services import (
    authenticator_confirm,
    authenticator_pending,
    has_second_factor,
    recovery_codes_issue,
    recovery_codes_left,
    second_factor_reset,
)
from salingsapa.core.audit import audit_log
from salingsapa.intake import ratelimit
from salingsapa.staff.decorators import staff_required, supervisor_required
from salingsapa.staff.middleware import LAST_SEEN, LOGIN_AT

PENDING_USER = "ss_pending_user"
PENDING_AT = "ss_pending_at"
PENDING_BACKEND = "ss_pending_backend"
PENDING_NEXT = "ss_pending_next"
NEW_CODES = "ss_new_recovery_codes"
PENDING_SECONDS = 300
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60


class PasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Nama pengguna"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label=gettext_lazy("Kata sandi"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode verifikasi"), max_length=16,
        help_text=gettext_lazy("6 angka dari aplikasi autentikator, atau salah satu kode pemulihan."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}),
    )


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return value
    return settings.LOGIN_REDIRECT_URL


def _pending_user(request: HttpRequest) -> Any:
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - float(started) > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _after_password_step(view: Callable[[HttpRequest, Any], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """For the second-factor pages: ``view`` is called with the user who passed the password step in the last
    ``PENDING_SECONDS``; anyone else is sent back to the password page with a note."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        user = _pending_user(request)
        if user is None:
            messages.info(request, _("Silakan masuk dengan kata sandi terlebih dahulu."))
            return redirect("staff:login")
        return view(request, user)

    return wrapper


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_BACKEND, PENDING_NEXT):
        request.session.pop(key, None)


def _complete_login(request: HttpRequest, user: Any, device: Any, *, factor: str) -> HttpResponse:
    backend = request.session.get(PENDING_BACKEND) or "django.contrib.auth.backends.ModelBackend"
    next_url = request.session.get(PENDING_NEXT)
    _clear_pending(request)
    auth_login(request, user, backend=backend)
    otp_login(request, device)
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    audit_log(actor=user, action="login", object_type="user", object_id=user.pk, detail={"factor": factor})
    return HttpResponseRedirect(_safe_next(request, next_url))


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(_safe_next(request, request.GET.get("next")))
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        subject = username.lower()
        # Reserve the attempt atomically before the password is checked: parallel guesses each get
        # their own count, so no more than MAX_FAILURES passwords are ever tried in the window.
        if ratelimit.hit(subject, purpose="staff-login", limit=MAX_FAILURES, window=FAILURE_WINDOW):
            audit_log(actor=None, action="login_failed", object_type="user", detail={"stage": "throttled"})
            error = _("Terlalu banyak percobaan yang gagal. Coba lagi 15 menit lagi.")
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None or not user.is_active:
                known = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
                audit_log(actor=None, action="login_failed", object_type="user", object_id=known or "",
                          detail={"stage": "password"})
                error = _("Nama pengguna atau kata sandi salah.")
            else:
                ratelimit.reset(subject, purpose="staff-login", window=FAILURE_WINDOW)
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                request.session[PENDING_AT] = time.time()
                request.session[PENDING_BACKEND] = getattr(user, "backend", "")
                request.session[PENDING_NEXT] = request.GET.get("next", "")
                if has_second_factor(user=user):
                    return redirect("staff:login_verify")
                return redirect("staff:login_enrol")
    status = 400 if error or (request.method == "POST" and not form.is_valid()) else 200
    return render(request, "staff/login.html", {"form": form, "error": error}, status=status)


@never_cache
@_after_password_step
def verify_view(request: HttpRequest, user: Any) -> HttpResponse:
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "").lower()
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(token):
                factor = "recovery" if isinstance(device, RecoveryCodeDevice) else "totp"
                if factor == "recovery":
                    left = device.remaining()
                    messages.warning(request, _("Anda masuk dengan kode pemulihan. Sisa kode: %(left)s. "
                                                "Buat kode baru bila hampir habis.") % {"left": left})
                return _complete_login(request, user, device, factor=factor)
        audit_log(actor=None, action="login_failed", object_type="user", object_id=user.pk, detail={"stage": "otp"})
        error = _("Kode tidak cocok atau sudah dipakai. Periksa jam di ponsel Anda lalu coba lagi.")
    status = 400 if error else 200
    return render(request, "staff/login_verify.html", {"form": form, "error": error}, status=status)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@_after_password_step
def enrol_view(request: HttpRequest, user: Any) -> HttpResponse:
    if has_second_factor(user=user):
        return redirect("staff:login_verify")
    device = authenticator_pending(user=user)
    form = TokenForm(request.POST or None)
    form.fields["token"].help_text = _("6 angka yang tampil di aplikasi autentikator.")
    error = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip().replace(" ", "")):
            authenticator_confirm(user=user, device=device)
            codes = recovery_codes_issue(user=user)
            _complete_login(request, user, device, factor="totp")
            request.session[NEW_CODES] = codes
            return redirect("staff:recovery_codes")
        error = _("Kode tidak cocok. Pastikan jam ponsel tepat lalu masukkan kode yang sedang tampil.")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {"form": form, "error": error, "qr": _qr_data_uri(device.config_url), "secret": secret}
    return render(request, "staff/login_enrol.html", context, status=400 if error else 200)


@staff_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session[NEW_CODES] = recovery_codes_issue(user=request.user)  # type: ignore[arg-type]
        return redirect("staff:recovery_codes")
    codes = request.session.pop(NEW_CODES, None)
    left = recovery_codes_left(user=request.user)  # type: ignore[arg-type]
    return render(request, "staff/recovery_codes.html", {"codes": codes, "left": left})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log(actor=request.user, action="logout", object_type="user", object_id=request.user.pk,
                  detail={"reason": "user"})
    auth_logout(request)
    messages.info(request, _("Anda sudah keluar."))
    response = redirect("staff:login")
    # The browser wipes this site's caches and storage, including the field app's sealed entries in
    # IndexedDB and its service worker (docs/security.md, "Field app on the phone"); field.js wipes them
    # itself too, before the form is sent. Cookies are left alone (the CSRF and language cookies stay).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


class SecondFactorResetForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Alasan"), max_length=200,
                             help_text=gettext_lazy("Mis. ponsel hilang atau diganti. Dicatat di log audit."))


@supervisor_required
def second_factor_reset_view(request: HttpRequest) -> HttpResponse:
    """A supervisor resets the second factor of a colleague in their organisation (lost phone).

    The colleague's authenticator app and recovery codes stop working at once; at the next sign-in
    they enrol a new app themselves (nobody else ever sees its secret). Audited and alerted.
    """
    me: Any = request.user
    colleagues = (get_user_model().objects.filter(organisation_id=me.organisation_id, is_active=True)
                  .exclude(pk=me.pk).order_by("username"))
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = colleagues.filter(pk=form.cleaned_data["user"]).first()
        if target is None:
            return render(request, "staff/forbidden.html", status=403)
        second_factor_reset(actor=request.user, user=target, reason=form.cleaned_data["reason"])
        messages.success(request, _("Verifikasi dua langkah %(name)s sudah diatur ulang. Ia mendaftarkan aplikasi "
                                    "autentikator baru saat masuk berikutnya.")
                         % {"name": target.get_full_name() or target.get_username()})
        return redirect("staff:second_factor_reset")
    enrolled = set(AuthenticatorDevice.objects.filter(user__in=colleagues, confirmed=True)
                   .values_list("user_id", flat=True))
    rows = [(user, user.pk in enrolled) for user in colleagues]
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/second_factor_reset.html", {"rows": rows, "form": form}, status=status)
