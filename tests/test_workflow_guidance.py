"""Workflow guidance (issue 10 item 6): an action not allowed at the current stage is not offered as a usable
form; the case page names the next step and offers it."""

from __future__ import annotations

import pytest

from salingsapa.cases import services
from salingsapa.cases.models import ServicePlan
from salingsapa.cases.selectors import case_next_step
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(intake_officer):
    return services.case_open(actor=intake_officer, report=make_report())


def test_service_plan_page_at_stage_new_offers_no_form_but_the_next_step(case, case_manager):
    client = verified_client(case_manager)
    url = f"/staf/kasus/{case.pk}/rencana-intervensi/"
    page = client.get(url).content.decode()
    assert 'name="goals"' not in page and "Ajukan rencana" not in page
    assert "Baru" in page and "Langkah berikutnya" in page and "Mulai asesmen" in page
    response = client.post(url, {"version": case.version, "goals": "Konseling", "services": ["psikologis"]})
    assert response.status_code == 400 and 'name="goals"' not in response.content.decode()
    assert not ServicePlan.objects.exists()


@pytest.mark.parametrize("status, key", [
    ("new", "start_assessment"),
])
def test_next_step_of_a_new_case(case, status, key, case_manager):
    assert case.status == status
    assert case_next_step(case, user=case_manager).key == key


def test_next_step_follows_the_case_through_the_workflow(case, case_manager, supervisor):
    def step(user=case_manager):
        case.refresh_from_db()
        return case_next_step(case, user=user)

    assert step().key == "start_assessment" and step().to_status == "assessment"
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=case.version)
    assert step().key == "risk_assessment"
    services.risk_assessment_record(actor=case_manager, case=case, answers={"weapon": True}, expected_version=case.version)
    assert step().key == "start_planning" and step().to_status == "planning"
    services.case_transition(actor=case_manager, case=case, to_status="planning", expected_version=case.version)
    assert step().key == "write_plan"
    plan = services.service_plan_submit(actor=case_manager, case=case, goals="Rumah aman", services=["rumah-aman"],
                                        expected_version=case.version)
    assert step().key == "wait_plan_approval"
    assert step(supervisor).key == "decide_plan"
    services.service_plan_approve(actor=supervisor, plan=plan)
    assert step().key == "start_service" and step().to_status == "in_service"
    services.case_transition(actor=case_manager, case=case, to_status="in_service", expected_version=case.version)
    assert step().key == "start_monitoring"
    services.case_transition(actor=case_manager, case=case, to_status="monitoring", expected_version=case.version)
    assert step().key == "request_closure"
    services.case_close_request(actor=case_manager, case=case, reason="Tujuan tercapai", expected_version=case.version)
    assert step().key == "wait_closure_approval" and step(supervisor).key == "decide_closure"


def test_case_page_offers_the_next_step_as_one_button(case, case_manager):
    client = verified_client(case_manager)
    page = client.get(f"/staf/kasus/{case.pk}/").content.decode()
    assert 'id="langkah-berikutnya"' in page and "Mulai asesmen" in page
    start = page.index('id="langkah-berikutnya"')
    panel = page[start:page.index("</section>", start)]
    assert 'name="to_status" value="assessment"' in panel
    # the plan link is not offered before the plan stage
    assert f"/staf/kasus/{case.pk}/rencana-intervensi/" not in page
    response = client.post(f"/staf/kasus/{case.pk}/aksi/status/", {"to_status": "assessment", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "assessment"
    page = client.get(f"/staf/kasus/{case.pk}/").content.decode()
    start = page.index('id="langkah-berikutnya"')
    panel = page[start:page.index("</section>", start)]
    assert f"/staf/kasus/{case.pk}/asesmen-risiko/" in panel


def test_stage_select_has_no_preselected_target(case, case_manager):
    page = verified_client(case_manager).get(f"/staf/kasus/{case.pk}/").content.decode()
    start = page.index('name="to_status" id="id_to_status"')
    select = page[start:page.index("</select>", start)]
    assert '<option value="">' in select and "selected" not in select
