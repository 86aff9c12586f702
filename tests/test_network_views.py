"""The collaboration pages as people use them: consent and referral by the case manager, the partner's inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salingsapa.cases import services as case_services
from salingsapa.cases.models import Alert
from salingsapa.core.models import AuditEvent
from salingsapa.network.models import Consent, PerpetratorLink, Referral
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_manager):
    report = make_report(contact_name="Sari Dewi", violence_forms=["seksual"], narrative="Kronologi rahasia uji")
    return case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)


def _victim_id(case):
    return case.participants.get(role="victim").person_id


def test_case_manager_records_consent_and_refers(case_manager, case, psychology_org):
    client = verified_client(case_manager)
    page = client.get(f"/staf/jejaring/kasus/{case.pk}/rujukan/")
    assert page.status_code == 200 and "Belum ada persetujuan" in page.content.decode()
    refused = client.post(f"/staf/jejaring/kasus/{case.pk}/rujukan/rujuk/",
                          {"organisation": psychology_org.pk, "service": "psikologis", "note_to_partner": "Mohon segera"})
    assert refused.status_code == 400 and "Belum ada persetujuan korban" in refused.content.decode()
    assert "Mohon segera" in refused.content.decode()  # what was typed is kept
    response = client.post(f"/staf/jejaring/kasus/{case.pk}/rujukan/persetujuan/",
                           {"victim": _victim_id(case), "given_by": "victim", "recipient_kind": "psychology", "include_evidence": "no",
                            "services": ["psikologis"]})
    assert response.status_code == 302
    response = client.post(f"/staf/jejaring/kasus/{case.pk}/rujukan/rujuk/",
                           {"organisation": psychology_org.pk, "service": "psikologis"})
    assert response.status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.consent == Consent.objects.get(case=case)
    letter = client.get(f"/staf/jejaring/rujukan/{referral.pk}/surat.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")


def test_bad_consent_input_gets_a_message_not_a_500(case_manager, case):
    client = verified_client(case_manager)
    response = client.post(f"/staf/jejaring/kasus/{case.pk}/rujukan/persetujuan/", {"victim": "x", "given_by": "?"})
    assert response.status_code == 400
    assert "Korban" in response.content.decode() or "Pilih" in response.content.decode()


def _referred(case_manager, case, org):
    from salingsapa.network import services

    victim = case.participants.get(role="victim").person
    services.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=["psikologis"],
                            recipient_organisation=org)
    return services.referral_create(actor=case_manager, case=case, organisation=org, service="psikologis")


def test_partner_accepts_records_sessions_and_completes(case_manager, case, psychology_org, partner_psychologist):
    referral = _referred(case_manager, case, psychology_org)
    client = verified_client(partner_psychologist)
    inbox = client.get("/staf/jejaring/rujukan/")
    assert case.number in inbox.content.decode()
    page = client.get(f"/staf/jejaring/rujukan/{referral.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "Sari" in body
    assert "Sari Dewi" not in body and "Kronologi rahasia" not in body.split("Ringkasan kasus")[0]
    assert "no-store" in page["Cache-Control"]
    assert client.post(f"/staf/jejaring/rujukan/{referral.pk}/aksi/terima/").status_code == 302
    today = timezone.localdate()
    for days in (7, 1):
        response = client.post(f"/staf/jejaring/rujukan/{referral.pk}/aksi/layanan/", {
            "delivered_on": (today - dt.timedelta(days=days)).isoformat(), "kind": "sesi-konseling",
            "summary": f"Sesi {days}"})
        assert response.status_code == 302
    future = client.post(f"/staf/jejaring/rujukan/{referral.pk}/aksi/layanan/", {
        "delivered_on": (today + dt.timedelta(days=3)).isoformat(), "kind": "sesi-konseling", "summary": "Nanti"})
    assert future.status_code == 400 and "masa depan" in future.content.decode()
    assert client.post(f"/staf/jejaring/rujukan/{referral.pk}/aksi/selesai/", {"outcome": "Stabil"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.deliveries.count() == 2
    manager_view = verified_client(case_manager).get(f"/staf/jejaring/rujukan/{referral.pk}/").content.decode()
    assert "Selesai" in manager_view and "Sesi 7" in manager_view


def test_partner_cannot_open_the_case_record_or_queue(case_manager, case, psychology_org, partner_psychologist):
    _referred(case_manager, case, psychology_org)
    client = verified_client(partner_psychologist)
    assert client.get(f"/staf/kasus/{case.pk}/").status_code == 403
    assert client.get(f"/staf/jejaring/kasus/{case.pk}/rujukan/").status_code == 403
    assert client.get("/staf/pengaduan/").status_code == 403


def test_other_partner_guessing_the_referral_id_gets_404_audited(case_manager, case, psychology_org):
    from salingsapa.accounts.models import Organisation, Role
    from tests.personas import make_user

    referral = _referred(case_manager, case, psychology_org)
    lawyer = make_user("pengacara", Role.PARTNER, Organisation.objects.create(name="LBH", kind="legal_aid"))
    client = verified_client(lawyer)
    assert client.get(f"/staf/jejaring/rujukan/{referral.pk}/").status_code == 404
    assert client.post(f"/staf/jejaring/rujukan/{referral.pk}/aksi/terima/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_type="referral", actor=lawyer).count() == 2


def test_withdrawing_consent_on_the_page_cuts_the_partner_off(case_manager, case, psychology_org, partner_psychologist):
    referral = _referred(case_manager, case, psychology_org)
    partner = verified_client(partner_psychologist)
    assert partner.get(f"/staf/jejaring/rujukan/{referral.pk}/").status_code == 200
    consent = Consent.objects.get(case=case)
    verified_client(case_manager).post(f"/staf/jejaring/kasus/{case.pk}/rujukan/cabut-persetujuan/", {"consent": consent.pk})
    assert partner.get(f"/staf/jejaring/rujukan/{referral.pk}/").status_code == 404


def test_media_partner_sees_no_case_data(media_partner, case):
    client = verified_client(media_partner)
    assert client.get("/staf/jejaring/rujukan/").status_code == 403
    assert client.get("/staf/jejaring/mitra/").status_code == 403
    assert client.get(f"/staf/kasus/{case.pk}/").status_code == 403


def test_directory_filters(case_manager, psychology_org):
    psychology_org.services = ["psikologis"]
    psychology_org.save()
    client = verified_client(case_manager)
    assert psychology_org.name in client.get("/staf/jejaring/mitra/?service=psikologis").content.decode()
    assert psychology_org.name not in client.get("/staf/jejaring/mitra/?service=bantuan-hukum").content.decode()


@pytest.mark.django_db(transaction=True)
def test_repeat_perpetrator_alert_fires_when_a_second_case_shares_an_account(uptd, case_manager, supervisor):
    from salingsapa.accounts.models import Role
    from tests.personas import make_user

    other = make_user("manajer2", Role.CASE_MANAGER, uptd, first_name="Rina")
    r1 = make_report(identifiers=[("other", "https://www.tiktok.com/@kenalan_serang")], narrative="Rahasia A")
    r2 = make_report(identifiers=[("tiktok", "@Kenalan_Serang")], narrative="Rahasia B")
    c1 = case_services.case_open(actor=case_manager, report=r1, case_manager=case_manager)
    c2 = case_services.case_open(actor=case_manager, report=r2, case_manager=other)
    link = PerpetratorLink.objects.get()
    assert {link.case_a_id, link.case_b_id} == {c1.pk, c2.pk}
    mine = Alert.objects.get(recipient=case_manager, kind="perpetrator_link")
    assert c2.number in mine.message and "Rina" in mine.message and "Rahasia" not in mine.message
    assert Alert.objects.filter(recipient=other, kind="perpetrator_link", case=c2).exists()
    page = verified_client(case_manager).get("/staf/jejaring/tautan-pelaku/").content.decode()
    assert c2.number in page and "Rahasia B" not in page
