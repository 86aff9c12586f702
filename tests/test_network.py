"""Consent, referrals with minimal packages, revocation, repeat-perpetrator links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from salingsapa.accounts.models import Organisation, Role
from salingsapa.cases.models import Case, CasePerson, Incident, Person, PersonIdentifier
from salingsapa.core.identifiers import identifier_index, normalise_identifier
from salingsapa.core.models import AuditEvent, Code
from salingsapa.intake.models import Report, ReportIdentifier
from salingsapa.network import services
from salingsapa.network.access import access_referral
from salingsapa.network.models import Referral
from salingsapa.network.packages import build_package
from salingsapa.network.selectors import perpetrator_alerts_for, referrals_for
from tests.personas import make_user

pytestmark = pytest.mark.django_db
_seq = iter(range(1, 10_000))


def make_case(org, manager=None, *, child=False, victim_name="Sari Dewi", summary="Korban dihubungi pelaku lewat Instagram"):
    n = next(_seq)
    now = timezone.now()
    case = Case.objects.create(number=f"SRG-2025-{n:04d}", year=2025, sequence=n, organisation=org, case_manager=manager,
                               reported_at=now, opened_at=now, summary=summary, risk_level="high")
    victim = Person.objects.create(full_name=victim_name, phone="081234567890", sex="female", created_at=now,
                                   phone_index=identifier_index(*normalise_identifier("phone", "081234567890")))
    CasePerson.objects.create(case=case, person=victim, role="victim", age_group="13-17" if child else "25-44", is_child=child)
    incident = Incident.objects.create(case=case, occurred_on=dt.date(2025, 3, 1), relationship="pacar-teman")
    incident.violence_forms.add(Code.objects.get(list="violence_form", slug="seksual"))
    return case, victim


def add_perpetrator(case, *, phone=None, handle=None):
    person = Person.objects.create(full_name="Pelaku", created_at=timezone.now())
    if phone:
        kind, value = normalise_identifier("phone", phone)
        person.phone, person.phone_index = value, identifier_index(kind, value)
        person.save()
    if handle:
        kind, value = normalise_identifier("other", handle)
        PersonIdentifier.objects.create(person=person, kind=kind, value=value, value_index=identifier_index(kind, value))
    CasePerson.objects.create(case=case, person=person, role="perpetrator")
    return person


@pytest.fixture
def legal_org(db):
    return Organisation.objects.create(name="LBH Serang", kind=Organisation.Kind.LEGAL_AID)


@pytest.fixture
def lawyer(legal_org):
    return make_user("pengacara", Role.PARTNER, legal_org)


def test_referral_needs_consent(case_manager, uptd, psychology_org):
    case, _ = make_case(uptd, case_manager)
    with pytest.raises(services.NetworkError, match="persetujuan"):
        services.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")


def test_consent_for_a_kind_and_service_allows_that_referral_only(case_manager, uptd, psychology_org, legal_org):
    case, victim = make_case(uptd, case_manager)
    services.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim",
                            services=["psikologis"], recipient_kind="psychology")
    referral = services.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    assert referral.consent is not None and referral.status == "sent"
    with pytest.raises(services.NetworkError):
        services.referral_create(actor=case_manager, case=case, organisation=legal_org, service="bantuan-hukum")


def test_child_consent_rules(case_manager, uptd):
    case, victim = make_case(uptd, case_manager, child=True)
    with pytest.raises(services.NetworkError, match="orang tua atau wali"):
        services.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=[])
    with pytest.raises(services.NetworkError, match="pendapat anak"):
        services.consent_record(actor=case_manager, case=case, victim=victim, given_by="parent", services=[])
    father = add_perpetrator(case)
    with pytest.raises(services.NetworkError, match="terduga pelaku"):
        services.consent_record(actor=case_manager, case=case, victim=victim, given_by="parent", services=[],
                                given_by_person=father, child_view="Anak setuju bertemu psikolog")
    consent = services.consent_record(actor=case_manager, case=case, victim=victim, given_by="parent", services=[],
                                      given_by_name="Ibu korban", child_view="Anak setuju bertemu psikolog")
    assert consent.child_view == "Anak setuju bertemu psikolog"


def test_emergency_override_only_by_supervisor_and_recorded(case_manager, supervisor, uptd, psychology_org):
    case, _ = make_case(uptd, case_manager)
    with pytest.raises(services.NetworkError, match="supervisor"):
        services.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis",
                                 emergency_override_reason="Korban dalam bahaya")
    referral = services.referral_create(actor=supervisor, case=case, organisation=psychology_org, service="psikologis",
                                        emergency_override_reason="Korban dalam bahaya")
    assert referral.emergency_override and referral.override_by == supervisor
    assert AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk), detail__override=True).exists()


def _referred(case_manager, uptd, org, service="psikologis"):
    case, victim = make_case(uptd, case_manager)
    consent = services.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=[service],
                                      recipient_organisation=org)
    return services.referral_create(actor=case_manager, case=case, organisation=org, service=service), consent


def test_partner_works_the_referral_and_case_manager_sees_status(case_manager, uptd, psychology_org, partner_psychologist):
    referral, _ = _referred(case_manager, uptd, psychology_org)
    assert list(referrals_for(partner_psychologist)) == [referral]
    services.referral_accept(actor=partner_psychologist, referral=referral)
    for day in (1, 8):
        services.service_delivery_record(actor=partner_psychologist, referral=referral, delivered_on=dt.date(2025, 4, day),
                                         kind="sesi-konseling", summary=f"Sesi {day}")
    services.referral_complete(actor=partner_psychologist, referral=referral, outcome="Korban stabil")
    seen = access_referral(case_manager, referral.pk)
    assert seen.status == "completed" and seen.deliveries.count() == 2


def test_partner_package_holds_only_the_fields_of_the_service(case_manager, uptd, psychology_org, partner_psychologist):
    referral, _ = _referred(case_manager, uptd, psychology_org, service="psikologis")
    add_perpetrator(referral.case, phone="0813-1111-2222")
    fields = {f for f, _, _ in build_package(referral)}
    assert "case_summary" in fields and "contact" in fields
    assert "victim_name" not in fields and "perpetrator_identifiers" not in fields
    values = " ".join(str(v) for _, _, v in build_package(referral))
    assert "Sari" in values and "Sari Dewi" not in values and "0813" not in values


def test_police_package_includes_perpetrator_identifiers(case_manager, uptd):
    police = Organisation.objects.create(name="Unit PPA Polresta", kind=Organisation.Kind.POLICE)
    referral, _ = _referred(case_manager, uptd, police, service="penegakan-hukum")
    add_perpetrator(referral.case, phone="0813-1111-2222")
    package = {f: v for f, _, v in build_package(referral)}
    assert "+6281311112222" in package["perpetrator_identifiers"]


def test_withdrawing_consent_removes_partner_access_at_once(case_manager, uptd, psychology_org, partner_psychologist):
    referral, consent = _referred(case_manager, uptd, psychology_org)
    services.referral_accept(actor=partner_psychologist, referral=referral)
    assert services.consent_withdraw(actor=case_manager, consent=consent) == 1
    assert not referrals_for(partner_psychologist).exists()
    with pytest.raises(Http404):
        access_referral(partner_psychologist, referral.pk)
    referral.refresh_from_db()
    assert referral.status == "revoked"


def test_revoking_a_referral_removes_access(case_manager, uptd, psychology_org, partner_psychologist):
    referral, _ = _referred(case_manager, uptd, psychology_org)
    services.referral_revoke(actor=case_manager, referral=referral, reason="Korban pindah kota")
    with pytest.raises(Http404):
        access_referral(partner_psychologist, referral.pk)


def test_partner_guessing_another_orgs_referral_gets_404_and_is_audited(case_manager, uptd, legal_org, lawyer, partner_psychologist, psychology_org):
    referral, _ = _referred(case_manager, uptd, legal_org, service="bantuan-hukum")
    with pytest.raises(Http404):
        access_referral(partner_psychologist, referral.pk)
    assert AuditEvent.objects.filter(action="denied", object_type="referral", actor=partner_psychologist).exists()
    assert access_referral(lawyer, referral.pk) == referral


def test_media_and_admin_see_no_referrals(case_manager, uptd, psychology_org, media_partner, administrator):
    _referred(case_manager, uptd, psychology_org)
    assert not referrals_for(media_partner).exists() and not referrals_for(administrator).exists()


def test_partner_cannot_act_on_other_orgs_referral(case_manager, uptd, legal_org, partner_psychologist):
    referral, _ = _referred(case_manager, uptd, legal_org, service="bantuan-hukum")
    with pytest.raises(services.NetworkError):
        services.referral_accept(actor=partner_psychologist, referral=referral)


def test_decline_needs_reason(case_manager, uptd, psychology_org, partner_psychologist):
    referral, _ = _referred(case_manager, uptd, psychology_org)
    with pytest.raises(services.NetworkError, match="alasan"):
        services.referral_decline(actor=partner_psychologist, referral=referral, reason=" ")
    services.referral_decline(actor=partner_psychologist, referral=referral, reason="Kapasitas penuh bulan ini")
    assert Referral.objects.get(pk=referral.pk).status == "declined"
    from salingsapa.cases.models import Alert

    alert = Alert.objects.get(recipient=case_manager, kind="decision")
    assert referral.case.number in alert.message and "Kapasitas" not in alert.message


def test_overdue_referrals_are_reminded_once(case_manager, uptd, psychology_org):
    referral, _ = _referred(case_manager, uptd, psychology_org)
    later = referral.respond_by + dt.timedelta(minutes=1)
    assert services.referrals_remind_overdue(now=referral.respond_by - dt.timedelta(minutes=1)) == []
    assert services.referrals_remind_overdue(now=later) == [referral]
    assert services.referrals_remind_overdue(now=later) == []
    from salingsapa.cases.models import Alert

    assert Alert.objects.filter(recipient=case_manager, kind="escalation", case=referral.case).count() == 1


def test_repeat_perpetrator_link_across_cases_reveals_only_number_and_manager(uptd, case_manager, supervisor):
    other_manager = make_user("manajer2", Role.CASE_MANAGER, uptd, first_name="Rina")
    case1, _ = make_case(uptd, case_manager, summary="Rahasia kasus satu")
    case2, _ = make_case(uptd, other_manager, summary="Rahasia kasus dua")
    add_perpetrator(case1, handle="https://www.instagram.com/Groomer.Serang/")
    # in the second case the same account arrives through a public report
    report = Report.objects.create(reference="LP-LINK0001", channel="web", received_at=timezone.now(), reporter_role="victim",
                                   narrative="x", violence_forms=["seksual"], victim_sex="female", victim_age_group="13-17",
                                   case=case2)
    kind, value = normalise_identifier("instagram", "@groomer.serang")
    ReportIdentifier.objects.create(report=report, kind=kind, value=value, value_index=identifier_index(kind, value))
    links = services.perpetrator_links_scan(case=case2)
    assert len(links) == 1 and links[0].kinds == ["instagram"]
    assert services.perpetrator_links_scan(case=case1) == []  # already known
    alerts = perpetrator_alerts_for(case_manager)
    assert alerts == [{
        "link_id": links[0].pk, "own_case_number": case1.number, "own_case_id": case1.pk,
        "other_case_number": case2.number, "other_case_manager": "Rina", "kinds": ["instagram"],
        "found_at": links[0].found_at,
    }]
    assert "Rahasia" not in repr(alerts)


def test_phone_spelled_differently_still_links(uptd, case_manager):
    case1, _ = make_case(uptd, case_manager)
    case2, _ = make_case(uptd, case_manager)
    add_perpetrator(case1, phone="0812-9999-0000")
    add_perpetrator(case2, handle="https://wa.me/6281299990000")
    assert len(services.perpetrator_links_scan(case=case1)) == 1


def test_no_link_for_victim_sharing_a_phone(uptd, case_manager):
    case1, _ = make_case(uptd, case_manager)
    case2, _ = make_case(uptd, case_manager)
    add_perpetrator(case1, phone="081234567890")  # same number as the victims' phones in make_case
    assert services.perpetrator_links_scan(case=case1) == []


def test_referral_letter_pdf_contains_package_and_is_audited(case_manager, uptd, psychology_org):
    from io import BytesIO

    from pypdf import PdfReader

    referral, _ = _referred(case_manager, uptd, psychology_org)
    from salingsapa.network.letters import referral_letter_number, referral_letter_pdf

    pdf = referral_letter_pdf(actor=case_manager, referral=referral)
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", object_type="referral", object_id=str(referral.pk)).exists()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert referral_letter_number(referral) in text
    assert "Sari" in text and "Sari Dewi" not in text  # the psychology package carries the alias only
