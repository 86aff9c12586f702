"""Access helpers: role and organisation scope, 404 for outsiders, every read and refusal audited."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from salingsapa.cases.access import access_case, cases_for
from salingsapa.cases.models import Case
from salingsapa.core.models import AuditEvent
from salingsapa.intake.access import access_report
from salingsapa.intake.models import Report


@pytest.fixture
def case(uptd):
    now = timezone.now()
    return Case.objects.create(number="SRG-2025-0001", year=2025, sequence=1, organisation=uptd, reported_at=now, opened_at=now)


@pytest.fixture
def report(db):
    return Report.objects.create(
        reference="LP-ACCESS01", channel="web", received_at=timezone.now(), reporter_role="witness",
        narrative="x", violence_forms=["fisik"], victim_sex="female", victim_age_group="25-44",
    )


def test_lead_agency_staff_read_their_case_and_it_is_audited(case_manager, case):
    assert access_case(case_manager, case.pk) == case
    entry = AuditEvent.objects.get(action="read", object_type="case")
    assert entry.actor == case_manager and entry.object_id == str(case.pk)


@pytest.mark.parametrize("persona", ["outsider", "partner_psychologist", "media_partner", "administrator"])
def test_others_get_404_and_the_attempt_is_audited(request, persona, case):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        access_case(user, case.pk)
    assert AuditEvent.objects.filter(action="denied", object_type="case", object_id=str(case.pk), actor=user).exists()
    assert not AuditEvent.objects.filter(action="read").exists()


def test_missing_case_is_404_without_denied_entry(case_manager):
    with pytest.raises(Http404):
        access_case(case_manager, 424242)
    assert not AuditEvent.objects.exists()


def test_garbage_id_is_404(case_manager):
    with pytest.raises(Http404):
        access_case(case_manager, "1 OR 1=1")


def test_anonymous_user_sees_nothing(case):
    from django.contrib.auth.models import AnonymousUser

    assert not cases_for(AnonymousUser()).exists()


def test_inactive_staff_see_nothing(case_manager, case):
    case_manager.is_active = False
    assert not cases_for(case_manager).exists()


def test_reports_only_for_lead_agency(intake_officer, partner_psychologist, report):
    assert access_report(intake_officer, report.pk) == report
    with pytest.raises(Http404):
        access_report(partner_psychologist, report.pk)


def test_reports_are_scoped_to_the_agency_area(intake_officer, outsider, report):
    from salingsapa.core.models import Region
    from salingsapa.intake.access import reports_for

    report.kelurahan = Region.objects.get(code="36.73.01.1001")
    report.save()
    assert list(reports_for(intake_officer)) == [report]
    assert not reports_for(outsider).exists()
    with pytest.raises(Http404):
        access_report(outsider, report.pk)
    assert AuditEvent.objects.filter(action="denied", object_type="report", actor=outsider).exists()


def test_reports_without_kelurahan_go_to_the_home_region_agency(intake_officer, outsider, report):
    from salingsapa.intake.access import reports_for

    assert reports_for(intake_officer).filter(pk=report.pk).exists()
    assert not reports_for(outsider).filter(pk=report.pk).exists()
