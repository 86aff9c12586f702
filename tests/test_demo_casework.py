"""The demo's casework (issue 10, item 6 of the English/leftover brief): `seed-demo` gives the staff dashboard's
deadline-compliance and referral figures a believable picture, by the services' rules (demo/casework.py)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from salingsapa.cases import sla
from salingsapa.cases.models import Alert, Case, Deadline
from salingsapa.intake.models import Report
from salingsapa.network.models import Referral, ServiceDelivery
from salingsapa.stats import engine, service_stats
from salingsapa.stats.forms import default_period
from tests.casework_helpers import verified_client


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> None:
    call_command("seed_demo", *args, stdout=StringIO(), verbosity=0)


@pytest.fixture
def seeded(db):
    seed()


def test_every_case_report_has_its_first_contact_clock_by_the_sla_rules(seeded):
    for report in Report.objects.filter(case__isnull=False).select_related("case"):
        clock = report.deadlines.get(kind=Deadline.Kind.FIRST_CONTACT)
        risk = sla.effective_risk(report.case.risk_level, emergency=report.case.is_emergency)
        assert clock.risk_level == risk and clock.case_id == report.case_id and clock.starts_at == report.received_at
        assert clock.due_at == sla.first_contact_due(start=report.received_at, risk_level=risk)
        assert clock.met_at is None or clock.met_at > clock.starts_at
    clocks = Deadline.objects.filter(kind=Deadline.Kind.FIRST_CONTACT, case__isnull=False)
    late = clocks.filter(met_at__gt=F("due_at")).count()
    assert 0.04 < late / clocks.count() < 0.35  # most in time, some late: believable, not perfect
    # the reports waiting in the queue got theirs from the service, now
    waiting = Report.objects.filter(status__in=["new", "in_review"])
    assert waiting.exists() and all(r.deadlines.filter(kind="first_contact", met_at=None).exists() for r in waiting)


def test_police_clocks_only_for_sexual_violence_with_consent(seeded):
    police = Deadline.objects.filter(kind=Deadline.Kind.TPKS_POLICE).select_related("case")
    assert police.count() >= 20
    for clock in police:
        case = clock.case
        assert case.police_report_consent is True
        assert case.incidents.filter(violence_forms__slug="seksual").exists() or case.incidents.filter(
            tpks_forms__isnull=False).exists()
        assert clock.due_at == sla.tpks_police_due(reported_at=case.reported_at)
        assert clock.met_at == case.police_reported_at
    assert not Case.objects.filter(police_report_consent=True).exclude(deadlines__kind="tpks_police").exists()


def test_referrals_follow_consent_and_time(seeded):
    referrals = Referral.objects.select_related("consent", "case", "organisation")
    assert referrals.count() >= 60
    assert {"sent", "accepted", "declined", "completed"} <= set(referrals.values_list("status", flat=True))
    for referral in referrals:
        consent = referral.consent
        assert consent is not None and consent.case_id == referral.case_id
        assert referral.service in consent.services and consent.recipient_organisation_id == referral.organisation_id
        assert referral.service in referral.organisation.services
        assert consent.given_at < referral.created_at < referral.respond_by
        victim = referral.case.participants.get(role="victim")
        assert (consent.given_by == "parent" and consent.child_view) if victim.is_child else consent.given_by == "victim"
        if referral.status in ("accepted", "declined", "completed"):
            assert referral.responded_at is not None and referral.responded_at >= referral.created_at
        if referral.status == "completed":
            assert referral.completed_at >= referral.responded_at and referral.outcome
        if referral.status == "declined":
            assert referral.decline_reason
    for delivery in ServiceDelivery.objects.select_related("referral", "recorded_by"):
        assert delivery.recorded_by.organisation_id == delivery.referral.organisation_id
        assert delivery.referral.status in ("accepted", "completed")


def test_live_referrals_went_through_the_services(seeded, django_user_model):
    live = Referral.objects.filter(created_at__gt=F("case__reported_at") + dt.timedelta(days=300))
    assert live.count() == 3
    psychologist = django_user_model.objects.get(username="psikolog")
    assert Alert.objects.filter(recipient=psychologist, kind=Alert.Kind.REFERRAL).exists()
    assert live.filter(status="accepted", responded_by=psychologist).count() == 1
    for referral in live:  # the services wrote the consent first and their audit entries
        assert referral.consent is not None and referral.consent.recorded_by_id == referral.case.case_manager_id


def test_the_dashboard_shows_deadline_compliance_and_referrals(seeded, django_user_model):
    start, end = default_period()
    figures = service_stats.service_stats(engine.StatsFilter(start=start, end=end))
    keys = {d.key for d in figures.deadlines}
    assert {"first_contact:high", "first_contact:medium", "first_contact:low", "tpks_police"} <= keys
    assert len(keys) == len(figures.deadlines)  # one row per clock (the police clock whatever the case's risk)
    assert figures.referral_total >= 40 and figures.delivery_total >= 40
    supervisor = django_user_model.objects.get(username="supervisor")
    client = verified_client(supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert "First contact — high risk" in page and "Psychological support/counselling" in page
    assert "Counselling/psychological session" in page or "Psychological assessment" in page


def test_scaled_seed_writes_the_history_in_bulk_too(db):
    seed("--cases", "400", "--seed", "5", "--batch-size", "150")
    assert Case.objects.count() == 400
    assert Deadline.objects.filter(kind="first_contact", case__isnull=False).count() == 400
    assert Referral.objects.count() > 100 and ServiceDelivery.objects.exists()
