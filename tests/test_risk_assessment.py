"""Risk checklist: scoring, red flags, child items, professional override with reason, effects on the case."""

from __future__ import annotations

import pytest
from django.db import connection

from salingsapa.cases import services, timeline
from salingsapa.cases.models import Deadline, RiskAssessment
from salingsapa.cases.risk import ADULT_ITEMS, CHILD_ITEMS, risk_compute
from salingsapa.cases.services import CaseError
from salingsapa.core.models import AuditEvent
from tests.casework_helpers import make_report, verified_client

# Items that count only as points (perpetrator access is high together with sexual violence: test_risk_rules).
PLAIN_ADULT = [i.key for i in ADULT_ITEMS if not i.red_flag and i.key != "perpetrator_access"]


def test_no_answers_is_low():
    assert risk_compute({}).level == "low"


def test_three_plain_yes_is_medium(settings):
    settings.RISK_MEDIUM_SCORE = 3
    result = risk_compute(dict.fromkeys(PLAIN_ADULT[:3], True))
    assert (result.level, result.score, result.red_flags) == ("medium", 3, 0)


def test_many_plain_yes_is_high(settings):
    settings.RISK_HIGH_SCORE = 7
    assert risk_compute(dict.fromkeys(PLAIN_ADULT[:6], True)).level == "medium"
    assert risk_compute(dict.fromkeys(PLAIN_ADULT[:7], True)).level == "high"


@pytest.mark.parametrize("item", [i.key for i in ADULT_ITEMS + CHILD_ITEMS if i.red_flag])
def test_any_red_flag_is_high(item):
    result = risk_compute({item: True})
    assert result.level == "high" and result.red_flags == 1


def test_child_items_count():
    assert {"child_lives_with_perpetrator", "child_no_safe_adult", "child_self_harm"} <= {i.key for i in CHILD_ITEMS}
    assert risk_compute({"child_repeated": True, "child_disability": True, "child_serious_injury": True}).level == "medium"


def test_unknown_keys_are_ignored():
    assert risk_compute({"not_an_item": True}).score == 0


@pytest.fixture
def case(intake_officer):
    return services.case_open(actor=intake_officer, report=make_report())


def test_recording_sets_case_risk_and_encrypts_answers(case, case_manager):
    assessment = services.risk_assessment_record(actor=case_manager, case=case, answers={"strangulation": True},
                                                 expected_version=case.version)
    case.refresh_from_db()
    assert case.risk_level == "high" and assessment.final_level == "high" and assessment.computed_level == "high"
    assert RiskAssessment.objects.get().answers["strangulation"] is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM cases_riskassessment")
        raw = cursor.fetchone()[0]
    assert "strangulation" not in raw
    audit = AuditEvent.objects.get(object_type="risk_assessment")
    assert audit.detail["final"] == "high" and "strangulation" not in str(audit.detail)


def test_override_needs_a_reason_and_is_recorded(case, case_manager):
    with pytest.raises(CaseError, match="alasan") as info:
        services.risk_assessment_record(actor=case_manager, case=case, answers={}, override_level="high",
                                        expected_version=case.version)
    assert info.value.field == "override_reason"
    assessment = services.risk_assessment_record(
        actor=case_manager, case=case, answers={}, override_level="high",
        override_reason="Pelaku baru keluar dari penjara dan mencari korban.", expected_version=case.version,
    )
    assert (assessment.computed_level, assessment.override_level, assessment.final_level) == ("low", "high", "high")
    assert assessment.override_reason.startswith("Pelaku baru")
    case.refresh_from_db()
    assert case.risk_level == "high"
    event = case.events.get(kind="risk")
    assert event.params["judgement"] == "changed" and event.params["computed"] == "low"
    assert "penilaian profesional" in timeline.event_text(event) and event.reason.startswith("Pelaku baru")


def test_override_equal_to_result_is_not_an_override(case, case_manager):
    assessment = services.risk_assessment_record(actor=case_manager, case=case, answers={}, override_level="low",
                                                 expected_version=case.version)
    assert assessment.override_level == ""


def test_risk_level_moves_the_first_contact_clock(case, case_manager):
    deadline = Deadline.objects.get(case=case, kind="first_contact")
    assert deadline.risk_level == "medium"  # untriaged default
    services.risk_assessment_record(actor=case_manager, case=case, answers={"weapon": True}, expected_version=case.version)
    deadline.refresh_from_db()
    assert deadline.risk_level == "high"
    assert (deadline.due_at - deadline.starts_at).total_seconds() == 3600


def test_form_page_shows_items_and_field_error(case, case_manager):
    client = verified_client(case_manager)
    page = client.get(f"/staf/kasus/{case.pk}/asesmen-risiko/").content.decode()
    assert "mencekik" in page and "tinggal serumah dengan anak" in page
    response = client.post(f"/staf/kasus/{case.pk}/asesmen-risiko/", {"version": case.version, "override_level": "high"})
    assert response.status_code == 400
    assert "wajib disertai alasan" in response.content.decode()
    assert not RiskAssessment.objects.exists()
