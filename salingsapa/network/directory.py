"""The partner directory: which organisation offers which service where."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from salingsapa.accounts.models import Organisation
from salingsapa.core import codelists
from salingsapa.core.models import Region


def _region_chain(code: str) -> list[str]:
    """A kelurahan code and its ancestors: 36.73.01.1001 → [36.73.01.1001, 36.73.01, 36.73, 36]."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def partners_search(
    *, service: str = "", kelurahan_code: str = "", text: str = "", public_only: bool = False
) -> list[Organisation]:
    """Active partner organisations, optionally offering ``service`` and serving ``kelurahan_code``.

    An organisation with no service area serves the whole city. A service area may be a kelurahan,
    a kecamatan or the kota.
    """
    orgs = Organisation.objects.filter(active=True).exclude(kind=Organisation.Kind.MEDIA)
    if public_only:
        orgs = orgs.filter(is_public=True)
    if text.strip():
        orgs = orgs.filter(Q(name__icontains=text.strip()) | Q(short_name__icontains=text.strip()))
    if kelurahan_code:
        chain = _region_chain(kelurahan_code)
        orgs = orgs.filter(Q(service_area__isnull=True) | Q(service_area__code__in=chain))
    result = list(orgs.distinct().prefetch_related("service_area").order_by("kind", "name"))
    if service:
        # services is a short JSON list; filtering in Python keeps this portable across SQLite and PostgreSQL
        result = [o for o in result if service in (o.services or [])]
    return result


def kelurahan_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Kelurahan grouped by kecamatan for a <select> with optgroups (home region only)."""

    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for kecamatan in Region.objects.filter(parent_id=settings.HOME_REGION_CODE, level=3).order_by("code"):
        groups.append((kecamatan.name, [(k.code, k.name) for k in kecamatan.children.order_by("name")]))
    return groups


def organisation_summary(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.get_kind_display(),
        "services": [codelists.label("service", s) for s in org.services or []],
        "address": org.address,
        "phone": org.phone,
        "opening_hours": org.opening_hours,
    }
