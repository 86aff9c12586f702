"""Guards for staff views: signed in with both factors; casework roles of the lead agency; supervisors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache

from salingsapa.staff.common import forbidden

View = Callable[..., HttpResponseBase]


def _to_login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.path})}")


def staff_required(view: View) -> View:
    """Signed in AND verified with a second factor (django-otp) — for every role."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or not user.is_active or not user.is_verified():  # type: ignore[union-attr,attr-defined]
            return _to_login(request)
        return view(request, *args, **kwargs)

    return wrapper


def casework_required(view: View) -> View:
    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_lead_agency_staff:  # type: ignore[union-attr]
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_required(view: View) -> View:
    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_supervisor:  # type: ignore[union-attr]
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper
