"""The in-progress report, kept in the server-side session and sealed with the crypto facade.

Nothing typed into the form appears in a URL, and the session table never holds it in clear.
``draft_to_report`` maps it to a plain dict in the shape of intake's one report schema.
The draft carries the idempotency token that the summary page puts in a hidden field.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.core.crypto import CryptoError
from salingsapa.intake.evidence import StoredEvidence
from salingsapa.public.forms import form_values_to_report

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


def draft_values(draft: dict[str, Any]) -> dict[str, Any]:
    """Every step's values merged, as the form fields name them (for the summary page)."""
    values: dict[str, Any] = {}
    for step_values in draft.get("steps", {}).values():
        values.update(step_values)
    return values


def draft_to_report(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as a plain dict in the shape of ``intake.schema.ReportInput`` (validated there)."""
    return form_values_to_report(draft_values(draft))
