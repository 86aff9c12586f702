"""What every staff page shares: the refusal page, the first form error, one page-size rule.

Used by ``staff.views`` (intake, cases, supervisor), ``staff.network_views`` (referrals,
conferences, directory) and the staff decorators, so a rule changes in one place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from salingsapa.cases.services import CaseError
from salingsapa.core.paging import KeysetPage, keyset_page


def forbidden(request: HttpRequest) -> HttpResponse:
    """The 403 page for a signed-in user whose role may not do this."""
    return render(request, "staff/forbidden.html", status=403)


def first_error(form: BaseForm) -> CaseError:
    """The form's first error as a ``CaseError`` (``.message`` = "Label: message", ``.field`` = the field)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return CaseError(f"{label}: {errors[0]}" if label else str(errors[0]), field=field)
    return CaseError(_("Isian tidak valid."))


def page_of(request: HttpRequest, queryset: Any) -> KeysetPage:
    """One page of a staff list: ``SALINGSAPA_STAFF_PAGE_SIZE`` rows; next/previous by keyset
    (``?setelah=`` / ``?sebelum=``), ``?page=N`` by offset; counts bounded (``core/paging.py``)."""
    return keyset_page(queryset, request.GET, per_page=settings.STAFF_PAGE_SIZE)
