"""The referral letter (surat rujukan) as PDF, rendered with WeasyPrint from an HTML template."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.network.packages import build_package


def referral_letter_number(referral: Any) -> str:
    return f"400.10/RUJ-{referral.pk:04d}/{referral.case.number}"


def referral_letter_pdf(*, actor: Any, referral: Any) -> bytes:
    """Render the letter for a referral the actor may already see (fetch it with ``access_referral``).

    The letter is an official Bahasa Indonesia document of the office (like the monthly statistics report):
    it is rendered in Indonesian whatever the reader's language, labels included, so it never mixes languages.
    """
    from weasyprint import HTML

    consent = referral.consent
    with translation.override("id"):
        html = _letter_html(referral, consent)
    pdf = HTML(string=html).write_pdf()
    audit_log(actor=actor, action="export", object_type="referral", object_id=referral.pk, detail={"document": "letter"})
    return pdf


def _letter_html(referral: Any, consent: Any) -> str:
    return render_to_string(
        "network/referral_letter.html",
        {
            "referral": referral,
            "number": referral_letter_number(referral),
            "service_label": codelists.label("service", referral.service),
            "package": build_package(referral),
            "sender": referral.case.organisation,
            "date": formats.date_format(timezone.localdate(), "j F Y"),
            "respond_by": formats.date_format(timezone.localtime(referral.respond_by), "j F Y H:i"),
            "consent_by": consent.get_given_by_display() if consent else "",
            "consent_date": formats.date_format(timezone.localtime(consent.given_at), "j F Y") if consent else "",
            "signer": referral.created_by.display_name,
        },
    )
