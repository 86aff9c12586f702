"""Session limits for signed-in users: an idle timeout and an absolute limit since sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from salingsapa.core.audit import audit_log

LOGIN_AT = "ss_login_at"
LAST_SEEN = "ss_last_seen"


class SessionLimitsMiddleware:
    """Signs a user out after ``SESSION_IDLE_SECONDS`` without a request, or ``SESSION_COOKIE_AGE``
    seconds after signing in, whichever comes first. Both events are audited."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = int(session.get(LOGIN_AT) or now)
            last_seen = int(session.get(LAST_SEEN) or now)
            reason = ""
            if now - login_at > settings.SESSION_COOKIE_AGE:
                reason = "absolute"
            elif now - last_seen > settings.SESSION_IDLE_SECONDS:
                reason = "idle"
            if reason:
                audit_log(actor=user, action="logout", object_type="user", object_id=user.pk, detail={"reason": reason})
                logout(request)
                messages.info(
                    request,
                    _("Sesi Anda berakhir karena tidak ada aktivitas. Silakan masuk lagi.")
                    if reason == "idle"
                    else _("Sesi Anda sudah mencapai batas waktu. Silakan masuk lagi."),
                )
            else:
                if LOGIN_AT not in session:
                    session[LOGIN_AT] = login_at
                if now - last_seen >= 15 or LAST_SEEN not in session:  # avoid a session write on every request
                    session[LAST_SEEN] = now
        return self.get_response(request)
