"""The in-progress report, kept in the server-side session and sealed with the crypto facade.

Nothing typed into the form appears in a URL, and the session table never holds it in clear.
The draft carries the idempotency token that the summary page puts in a hidden field.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.core.crypto import CryptoError
from salingsapa.intake.evidence import StoredEvidence
from salingsapa.intake.services import IdentifierInput, ReportInput
from salingsapa.public.forms import IDENTIFIER_ROWS

DRAFT_KEY = "public_draft"
RECEIPT_KEY = "public_receipt"
FOLLOWUP_KEY = "public_followup"
FOLLOWUP_IDLE_SECONDS = 15 * 60
PURPOSE = "public-draft"


def _load(request: HttpRequest, key: str) -> dict[str, Any] | None:
    token = request.session.get(key)
    if not token:
        return None
    try:
        return json.loads(crypto.unseal(token, purpose=f"{PURPOSE}:{key}"))
    except (CryptoError, ValueError):
        request.session.pop(key, None)
        return None


def _save(request: HttpRequest, key: str, value: dict[str, Any]) -> None:
    request.session[key] = crypto.seal(json.dumps(value, ensure_ascii=False), purpose=f"{PURPOSE}:{key}")


def draft_get(request: HttpRequest) -> dict[str, Any]:
    draft = _load(request, DRAFT_KEY)
    if draft is None:
        draft = {"token": secrets.token_urlsafe(32), "steps": {}, "evidence": []}
    return draft


def draft_exists(request: HttpRequest) -> bool:
    return bool(request.session.get(DRAFT_KEY))


def draft_save(request: HttpRequest, draft: dict[str, Any]) -> None:
    _save(request, DRAFT_KEY, draft)
    request.session.pop(RECEIPT_KEY, None)  # a new report: the last receipt is gone for good


def draft_clear(request: HttpRequest) -> None:
    request.session.pop(DRAFT_KEY, None)


def receipt_save(request: HttpRequest, *, reference: str, codename: str, token: str, emergency: bool) -> None:
    _save(request, RECEIPT_KEY, {"reference": reference, "codename": codename, "token": token, "emergency": emergency})


def receipt_get(request: HttpRequest) -> dict[str, Any] | None:
    return _load(request, RECEIPT_KEY)


def receipt_take(request: HttpRequest) -> dict[str, Any] | None:
    """The receipt to show now. The codename is in it only the first time: once taken, the session
    keeps just the reference (and the submission token that answers a double click)."""
    receipt = _load(request, RECEIPT_KEY)
    if receipt is None:
        return None
    if receipt.get("codename"):
        _save(request, RECEIPT_KEY, {"reference": receipt["reference"], "token": receipt.get("token", ""),
                                     "emergency": receipt.get("emergency", False), "codename": ""})
    return receipt


def receipt_clear(request: HttpRequest) -> None:
    request.session.pop(RECEIPT_KEY, None)


def followup_login(request: HttpRequest, report_pk: int) -> None:
    request.session.cycle_key()
    request.session[FOLLOWUP_KEY] = {"pk": report_pk, "seen": timezone.now().timestamp()}


def followup_report_pk(request: HttpRequest) -> int | None:
    value = request.session.get(FOLLOWUP_KEY)
    if not isinstance(value, dict):
        return None
    now = timezone.now().timestamp()
    if now - float(value.get("seen", 0)) > FOLLOWUP_IDLE_SECONDS:
        request.session.pop(FOLLOWUP_KEY, None)
        return None
    value["seen"] = now
    request.session[FOLLOWUP_KEY] = value
    return int(value["pk"])


def followup_logout(request: HttpRequest) -> None:
    request.session.pop(FOLLOWUP_KEY, None)


def draft_evidence(draft: dict[str, Any]) -> list[StoredEvidence]:
    return [StoredEvidence.from_dict(item) for item in draft.get("evidence", [])]


def draft_to_input(draft: dict[str, Any]) -> ReportInput:
    steps = draft.get("steps", {})
    s: dict[str, Any] = {}
    for values in steps.values():
        s.update(values)
    child = s.get("victim_is_child")
    date_text = s.get("incident_date") or ""
    identifiers = []
    for i in range(1, IDENTIFIER_ROWS + 1):
        value = (s.get(f"ident_value_{i}") or "").strip()
        if value:
            identifiers.append(IdentifierInput(kind=s.get(f"ident_kind_{i}") or "other", value=value))
    danger = s.get("in_danger_now")
    return ReportInput(
        reporter_role=s.get("reporter_role", ""),
        in_danger_now=None if danger not in {"yes", "no"} else danger == "yes",
        narrative=s.get("narrative", ""),
        violence_forms=list(s.get("violence_forms", [])),
        victim_sex=s.get("victim_sex", ""),
        victim_age_group=s.get("victim_age_group", ""),
        victim_is_child=True if child == "yes" else False if child == "no" else None,
        kelurahan_code=s.get("kelurahan_code", ""),
        incident_date=dt.date.fromisoformat(date_text) if date_text else None,
        place=s.get("place", ""),
        relationship=s.get("relationship", ""),
        met_via=s.get("met_via", ""),
        met_via_platform=s.get("met_via_platform", ""),
        perpetrator_identifiers=identifiers,
        contact_name=s.get("contact_name", ""),
        contact_phone=s.get("contact_phone", ""),
        contact_email=s.get("contact_email", ""),
        preferred_channel=s.get("preferred_channel", ""),
        safe_time=s.get("safe_time", ""),
        consent_contact=bool(s.get("consent_contact")),
        consent_share=bool(s.get("consent_share")),
    )
