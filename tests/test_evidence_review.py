"""Evidence review (issue 10 item 1): staff see a report's and a case's evidence, open images inline and
download files from a staff-only URL; every view/download is an audited read; partners see files only when
their service's package includes evidence and the consent covers it; files are hidden (with a reason), never
deleted."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from salingsapa.cases import services as case_services
from salingsapa.cases.models import CaseEvent
from salingsapa.core.models import AuditEvent
from salingsapa.intake.evidence import evidence_prepare, evidence_read
from salingsapa.intake.models import Evidence
from salingsapa.intake.services import report_evidence_add
from salingsapa.network import services as net
from tests.casework_helpers import make_report, verified_client
from tests.reporting import fill_steps, submit
from tests.test_evidence import PDF, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _report_with_files(**fields):
    report = make_report(**fields)
    photo = report_evidence_add(report=report, evidence=evidence_prepare(data=jpeg_with_gps(), filename="foto-ani.jpg"),
                                source="web")
    letter = report_evidence_add(report=report, evidence=evidence_prepare(data=PDF, filename="surat.pdf"))
    return report, photo, letter


def _reads(user, evidence, purpose):
    return AuditEvent.objects.filter(actor=user, action="read", object_type="evidence", object_id=str(evidence.pk),
                                     detail__purpose=purpose).count()


def test_web_report_files_reach_the_staff_report_page_with_their_facts(client, intake_officer):
    fill_steps(client)
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "bukti.jpg"
    client.post("/lapor/bukti/", {"files": [photo]})
    reference, _codename = submit(client)
    evidence = Evidence.objects.get(report__reference=reference)
    assert evidence.source == "web"
    staff = verified_client(intake_officer)
    page = staff.get(reverse("staff:report", args=[evidence.report_id])).content.decode()
    assert 'id="bukti"' in page
    for fact in ("image/jpeg", evidence.sha256, "Formulir situs web", f"({evidence.size} byte)"):
        assert fact in page, fact
    assert reverse("network:evidence_view", args=[evidence.pk]) in page
    assert reverse("network:evidence_download", args=[evidence.pk]) in page


def test_evidence_follows_the_report_into_the_case_and_attached_reports_too(case_manager):
    report, photo, letter = _report_with_files()
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)
    repeat, later_photo, _ = _report_with_files()
    case_services.report_attach(actor=case_manager, report=repeat, case=case)
    page = verified_client(case_manager).get(reverse("staff:case", args=[case.pk])).content.decode()
    for e in (photo, letter, later_photo):
        assert e.sha256 in page and reverse("network:evidence_download", args=[e.pk]) in page
    assert "Belum ada dokumen" in page  # case documents are a separate list; evidence is not among them
    assert "Susulan lewat kode rahasia" in page  # the letter was sent later through the codename thread


def test_inline_view_and_download_are_staff_only_no_store_sandboxed_and_audited(case_manager):
    report, photo, letter = _report_with_files()
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)
    client = verified_client(case_manager)
    url = reverse("network:evidence_view", args=[photo.pk])
    assert "ani" not in url and str(photo.pk) in url  # no personal data in the URL: the id only
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == evidence_read(photo)
    assert hashlib.sha256(response.content).hexdigest() == photo.sha256  # the hash taken at receipt
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'inline; filename="bukti-{photo.pk}.jpg"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _reads(case_manager, photo, "view") == 1

    download = client.get(reverse("network:evidence_download", args=[letter.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="bukti-{letter.pk}.pdf"'
    assert "surat" not in download["Content-Disposition"]
    assert _reads(case_manager, letter, "download") == 1
    # a PDF is never rendered inline
    assert client.get(reverse("network:evidence_view", args=[letter.pk])).status_code == 404
    assert case.pk  # (opened above so the case manager reaches the files through the case)


def test_signed_out_and_other_offices_get_nothing(client, outsider, media_partner):
    _report, photo, _letter = _report_with_files()
    url = reverse("network:evidence_download", args=[photo.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    for user in (outsider, media_partner):
        assert verified_client(user).get(url).status_code == 404
        assert AuditEvent.objects.filter(actor=user, action="denied", object_type="evidence").exists()


@pytest.fixture
def referred(case_manager, police_officer, partner_psychologist):
    """A sexual-violence case with two files, referred to the police PPA unit and to a psychologist."""
    report, photo, letter = _report_with_files(violence_forms=["seksual"])
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)
    victim = case.participants.get(role="victim").person

    def refer(partner, service, *, include_evidence):
        consent = net.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=[service],
                                     recipient_organisation=partner.organisation, include_evidence=include_evidence)
        referral = net.referral_create(actor=case_manager, case=case, organisation=partner.organisation, service=service)
        return consent, referral

    return {"case": case, "photo": photo, "letter": letter, "refer": refer}


def test_police_ppa_unit_sees_files_only_after_accepting_a_referral_whose_consent_includes_them(
    referred, police_officer, case_manager
):
    photo = referred["photo"]
    consent, referral = referred["refer"](police_officer, "penegakan-hukum", include_evidence=True)
    client = verified_client(police_officer)
    url = reverse("network:evidence_download", args=[photo.pk])
    assert client.get(url).status_code == 404  # not accepted yet
    net.referral_accept(actor=police_officer, referral=referral)
    page = client.get(reverse("network:referral", args=[referral.pk])).content.decode()
    assert url in page and photo.sha256 in page
    response = client.get(url)
    assert response.status_code == 200 and response.content == evidence_read(photo)
    assert _reads(police_officer, photo, "download") == 1
    # hidden files are withdrawn from partners at once
    net.evidence_hide(actor=case_manager, evidence=photo, reason="Foto salah kirim, bukan bukti kasus ini.")
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("network:referral", args=[referral.pk])).content.decode()
    # withdrawing the consent withdraws the remaining files too
    letter_url = reverse("network:evidence_download", args=[referred["letter"].pk])
    assert client.get(letter_url).status_code == 200
    net.consent_withdraw(actor=case_manager, consent=consent)
    assert client.get(letter_url).status_code == 404


def test_consent_without_evidence_or_a_package_without_evidence_shows_no_file(
    referred, police_officer, partner_psychologist
):
    _consent, police = referred["refer"](police_officer, "penegakan-hukum", include_evidence=False)
    net.referral_accept(actor=police_officer, referral=police)
    _consent, psych = referred["refer"](partner_psychologist, "psikologis", include_evidence=True)
    net.referral_accept(actor=partner_psychologist, referral=psych)
    url = reverse("network:evidence_download", args=[referred["photo"].pk])
    for user, referral in ((police_officer, police), (partner_psychologist, psych)):
        client = verified_client(user)
        assert client.get(url).status_code == 404, user
        assert url not in client.get(reverse("network:referral", args=[referral.pk])).content.decode()
    police_page = verified_client(police_officer).get(reverse("network:referral", args=[police.pk])).content.decode()
    assert "Tidak termasuk dalam persetujuan korban" in police_page


def test_hiding_needs_a_reason_is_audited_and_never_deletes(case_manager):
    report, photo, _letter = _report_with_files()
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)
    client = verified_client(case_manager)
    hide = reverse("network:evidence_hide", args=[photo.pk])
    refused = client.post(hide, {"reason": "  "}, follow=True)
    assert "Tuliskan alasan" in refused.content.decode()
    photo.refresh_from_db()
    assert photo.hidden_at is None
    response = client.post(hide, {"reason": "Gambar tidak terkait kasus."})
    assert response.status_code == 302 and response["Location"].endswith(f"/staf/kasus/{case.pk}/#bukti")
    photo.refresh_from_db()
    assert photo.hidden_at is not None and photo.hidden_by == case_manager
    assert photo.hidden_reason == "Gambar tidak terkait kasus."
    assert AuditEvent.objects.filter(actor=case_manager, action="update", object_type="evidence",
                                     object_id=str(photo.pk), detail__event="hidden").exists()
    event = CaseEvent.objects.filter(case=case, kind="document", params__what="evidence_hidden",
                                     params__evidence=photo.pk).get()
    assert event.reason == "Gambar tidak terkait kasus."
    # still listed, with the reason, no longer shown inline; the file is kept and can still be downloaded
    page = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Gambar tidak terkait kasus." in page
    assert reverse("network:evidence_view", args=[photo.pk]) not in page
    assert client.get(reverse("network:evidence_view", args=[photo.pk])).status_code == 404
    assert client.get(reverse("network:evidence_download", args=[photo.pk])).status_code == 200
    with pytest.raises(ProtectedError):
        report.delete()
