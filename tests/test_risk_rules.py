"""Risk and approval rules (issue 10 item 5): the rules that make a case high risk, a computed level below the
triage level only with an explicit professional judgement and a reason (logged), supervisor approval for
plans of high-risk and of every child sexual-violence case, and no preselected decision field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salingsapa.cases import services, timeline
from salingsapa.cases.models import RiskAssessment, ServicePlan
from salingsapa.cases.risk import HIGH_RISK_RULES, risk_compute
from salingsapa.cases.services import CaseError
from salingsapa.core.models import AuditEvent
from salingsapa.staff import forms as staff_forms
from salingsapa.staff import network_forms
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


# --- the rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("answers, facts, rule", [
    ({"threats_to_kill": True}, {}, "red_flag"),
    ({"strangulation": True}, {}, "red_flag"),
    ({"weapon": True}, {}, "red_flag"),
    ({"child_lives_with_perpetrator": True}, {}, "red_flag"),
    ({"child_no_safe_adult": True}, {}, "red_flag"),
    ({"child_self_harm": True}, {}, "red_flag"),
    ({}, {"victim_is_child": True, "sexual_violence": True}, "child_sexual_violence"),
    ({"sexual_violence": True}, {"victim_is_child": True}, "child_sexual_violence"),
    ({"perpetrator_access": True}, {"victim_is_child": True}, "perpetrator_access"),
    ({"perpetrator_access": True}, {"sexual_violence": True}, "perpetrator_access"),
])
def test_each_high_risk_rule_makes_the_case_high(answers, facts, rule):
    result = risk_compute(answers, **facts)
    assert result.level == "high"
    assert rule in result.rules


def test_the_same_facts_without_the_combination_are_not_high_on_their_own():
    assert risk_compute({}, victim_is_child=True).level == "low"
    assert risk_compute({}, sexual_violence=True).level == "low"
    assert risk_compute({"perpetrator_access": True}).level == "low"  # adult, no sexual violence: one point
    assert risk_compute({"sexual_violence": True}).rules == ()


def test_every_rule_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "case-management.md").read_text(encoding="utf-8")
    for key, _description in HIGH_RISK_RULES:
        assert f"`{key}`" in doc, key


# --- a lower computed level needs a professional judgement ------------------------------------------------

@pytest.fixture
def triaged_high(intake_officer):
    """An adult physical-violence case triaged high at intake."""
    return services.case_open(actor=intake_officer, report=make_report(risk_level="high"))


def test_lower_computed_level_is_never_silently_applied(triaged_high, case_manager):
    case = triaged_high
    assert case.risk_level == "high"
    answers = {"escalation": True, "separation": True, "stalking": True}  # medium by score
    with pytest.raises(CaseError, match="lebih rendah") as info:
        services.risk_assessment_record(actor=case_manager, case=case, answers=answers, expected_version=case.version)
    assert info.value.field == "override_level"
    case.refresh_from_db()
    assert case.risk_level == "high" and not RiskAssessment.objects.exists()
    with pytest.raises(CaseError, match="alasan"):
        services.risk_assessment_record(actor=case_manager, case=case, answers=answers, override_level="medium",
                                        expected_version=case.version)


def test_confirming_the_lower_level_is_recorded_with_its_reason(triaged_high, case_manager):
    case = triaged_high
    answers = {"escalation": True, "separation": True, "stalking": True}
    assessment = services.risk_assessment_record(
        actor=case_manager, case=case, answers=answers, override_level="medium",
        override_reason="Pelaku ditahan polisi sejak kemarin; korban tinggal bersama orang tuanya.",
        expected_version=case.version,
    )
    assert (assessment.previous_level, assessment.computed_level, assessment.override_level, assessment.final_level) == (
        "high", "medium", "medium", "medium")
    case.refresh_from_db()
    assert case.risk_level == "medium"
    event = case.events.get(kind="risk")
    assert event.params == {"level": "medium", "score": event.params["score"], "red_flags": event.params["red_flags"],
                            "judgement": "lowered", "previous": "high"}
    text = timeline.event_text(event)
    assert "Tinggi" in text and "Sedang" in text and "diturunkan" in text
    assert event.reason.startswith("Pelaku ditahan")
    audit = AuditEvent.objects.get(object_type="risk_assessment")
    assert audit.detail["previous"] == "high" and audit.detail["lowered"] is True
    assert "ditahan" not in str(audit.detail)


def test_keeping_the_triage_level_is_a_judgement_too(triaged_high, case_manager):
    case = triaged_high
    assessment = services.risk_assessment_record(
        actor=case_manager, case=case, answers={}, override_level="high",
        override_reason="Korban masih sangat takut; informasi belum lengkap.", expected_version=case.version,
    )
    assert assessment.final_level == "high" and assessment.computed_level == "low"


def test_the_form_asks_for_the_judgement_beside_the_field(triaged_high, case_manager):
    client = verified_client(case_manager)
    url = f"/staf/kasus/{triaged_high.pk}/asesmen-risiko/"
    page = client.get(url).content.decode()
    assert "Tingkat risiko saat ini" in page and "Tinggi" in page
    response = client.post(url, {"version": triaged_high.version, "escalation": "on"})
    assert response.status_code == 400
    assert "lebih rendah" in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_child_sexual_violence_case_is_high_even_with_an_empty_checklist(intake_officer, case_manager):
    case = services.case_open(actor=intake_officer, report=make_report(
        risk_level="high", violence_forms=["seksual"], victim_age_group="13-17", victim_is_child=True))
    assessment = services.risk_assessment_record(actor=case_manager, case=case, answers={},
                                                 expected_version=case.version)
    assert assessment.computed_level == "high" and assessment.final_level == "high"


# --- approvals -----------------------------------------------------------------------------------------

def _to_planning(case, actor, **risk):
    services.case_transition(actor=actor, case=case, to_status="assessment", expected_version=case.version)
    services.risk_assessment_record(actor=actor, case=case, expected_version=case.version, **risk)
    services.case_transition(actor=actor, case=case, to_status="planning", expected_version=case.version)


def test_child_sexual_violence_plan_waits_for_a_supervisor_even_when_judged_lower(intake_officer, case_manager,
                                                                                   supervisor):
    case = services.case_open(actor=intake_officer, report=make_report(
        violence_forms=["seksual"], victim_age_group="6-12", victim_is_child=True))
    _to_planning(case, case_manager, answers={}, override_level="medium",
                 override_reason="Pelaku sudah ditahan dan tinggal di kota lain.")
    assert case.risk_level == "medium"
    plan = services.service_plan_submit(actor=case_manager, case=case, goals="Konseling; pendampingan hukum",
                                        services=["psikologis"], expected_version=case.version)
    assert plan.status == ServicePlan.Status.PENDING and plan.needs_approval
    assert supervisor.case_alerts.filter(kind="approval", message__contains="kekerasan seksual terhadap anak").exists()


def test_adult_low_risk_plan_is_still_approved_on_submission(intake_officer, case_manager):
    case = services.case_open(actor=intake_officer, report=make_report(violence_forms=["psikis"]))
    _to_planning(case, case_manager, answers={})
    plan = services.service_plan_submit(actor=case_manager, case=case, goals="Konseling", services=["psikologis"],
                                        expected_version=case.version)
    assert plan.status == ServicePlan.Status.APPROVED and not plan.needs_approval


# --- no decision is preselected ------------------------------------------------------------------------------

@pytest.mark.parametrize("form, field", [
    (staff_forms.ConsentForm(), "consent"),
    (staff_forms.DecisionForm(), "decision"),
    (network_forms.ConsentForm(victims=[(1, "Korban")]), "given_by"),
    (network_forms.ConsentForm(victims=[(1, "Korban")]), "include_evidence"),
])
def test_decision_fields_start_empty_and_are_required(form, field):
    choices = list(form.fields[field].choices)
    assert choices[0][0] == "" and form.fields[field].required
    html = str(form[field])
    assert not re.search(r'<option value="[^"]+"[^>]*selected', html), html  # only the empty choice may be selected


def test_a_decision_without_a_choice_is_refused(intake_officer, case_manager, supervisor):
    case = services.case_open(actor=intake_officer, report=make_report(risk_level="high"))
    _to_planning(case, case_manager, answers={"weapon": True})
    services.service_plan_submit(actor=case_manager, case=case, goals="Rumah aman", services=["rumah-aman"],
                                 expected_version=case.version)
    response = verified_client(supervisor).post(f"/staf/kasus/{case.pk}/aksi/rencana-keputusan/", {"note": ""})
    assert response.status_code == 400
    assert case.plans.get().status == "pending"
