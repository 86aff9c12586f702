"""Partners are alerted in the app (issue 10 item 7): a new referral, a revoked referral (also by a withdrawn
consent) and a conference invitation each leave an Alert for every active user of the partner organisation,
shown on their dashboard and at /staf/peringatan/, with no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from salingsapa.cases import services as case_services
from salingsapa.cases.models import Alert
from salingsapa.network import services as net
from tests.casework_helpers import make_report, verified_client
from tests.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_manager):
    report = make_report(contact_name="Rahasia Korban", violence_forms=["psikis"])
    return case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)


def _consent(case, case_manager, org):
    victim = case.participants.get(role="victim").person
    return net.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=["psikologis"],
                              recipient_organisation=org)


def test_new_referral_alerts_every_partner_user_and_links_to_it(case, case_manager, partner_psychologist, psychology_org):
    colleague = make_user("psikolog2", "partner", psychology_org)
    make_user("psikolog-nonaktif", "partner", psychology_org, is_active=False)
    _consent(case, case_manager, psychology_org)
    referral = net.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    alerts = Alert.objects.filter(kind=Alert.Kind.REFERRAL)
    assert {a.recipient for a in alerts} == {partner_psychologist, colleague}
    alert = alerts.get(recipient=partner_psychologist)
    assert case.number in alert.message and "Rujukan baru" in alert.message
    assert "Rahasia" not in alert.message
    assert alert.link == reverse("network:referral", args=[referral.pk]) and alert.case is None
    client = verified_client(partner_psychologist)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert alert.message in dashboard and f'href="{alert.link}"' in dashboard
    listing = client.get(reverse("staff:alerts")).content.decode()
    assert f'href="{alert.link}"' in listing
    assert client.get(alert.link).status_code == 200  # the partner can open what the alert points to


def test_revoked_referral_and_withdrawn_consent_alert_the_partner_without_a_link(
    case, case_manager, partner_psychologist, psychology_org
):
    consent = _consent(case, case_manager, psychology_org)
    first = net.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    net.referral_revoke(actor=case_manager, referral=first, reason="Korban pindah ke luar kota; alamat baru rahasia.")
    revoked = Alert.objects.filter(recipient=partner_psychologist, message__contains="dicabut")
    assert revoked.count() == 1
    assert revoked.get().link == "" and "alamat" not in revoked.get().message  # the reason stays with the office
    net.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    net.consent_withdraw(actor=case_manager, consent=consent)
    assert Alert.objects.filter(recipient=partner_psychologist, message__contains="dicabut").count() == 2


def test_conference_invitation_alerts_invited_partners_only(case_manager, partner_psychologist, psychology_org,
                                                             partner_lawyer, supervisor):
    when = timezone.now() + dt.timedelta(days=3)
    conference = net.conference_schedule(actor=case_manager, title="Rapat", scheduled_at=when, place="Rumah Kolaborasi",
                                         organisations=[psychology_org])
    alert = Alert.objects.get(kind=Alert.Kind.CONFERENCE)
    assert alert.recipient == partner_psychologist
    assert alert.link == reverse("network:conference", args=[conference.pk])
    assert timezone.localtime(when).strftime("%d-%m-%Y %H:%M") in alert.message
    assert not Alert.objects.filter(recipient__in=[partner_lawyer, supervisor, case_manager], kind="conference").exists()
    assert verified_client(partner_psychologist).get(alert.link).status_code == 200
