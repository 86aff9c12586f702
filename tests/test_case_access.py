"""Integrity: every case read audited; outsiders get 404 (audited); optimistic locking; invalid transitions refused."""

from __future__ import annotations

import pytest

from salingsapa.cases import services
from salingsapa.cases.models import CaseStatus
from salingsapa.cases.services import CONFLICT_MESSAGE, CaseConflict
from salingsapa.core.models import AuditEvent
from tests.casework_helpers import make_report, verified_client


@pytest.fixture
def case(intake_officer):
    return services.case_open(actor=intake_officer, report=make_report())


def test_reading_a_case_is_audited(case, case_manager):
    client = verified_client(case_manager)
    assert client.get(f"/staf/kasus/{case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="read", object_type="case", object_id=str(case.pk), actor=case_manager).exists()


def test_outsider_gets_404_and_the_attempt_is_audited(case, outsider):
    client = verified_client(outsider)
    for url in (f"/staf/kasus/{case.pk}/", f"/staf/kasus/{case.pk}/asesmen-risiko/",
                f"/staf/kasus/{case.pk}/rencana-intervensi/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/staf/kasus/{case.pk}/aksi/catatan/", {"kind": "other", "occurred_on": "2026-01-01",
                                                                   "body": "x"})
    assert response.status_code == 404
    assert not case.notes.exists()
    denied = AuditEvent.objects.filter(action="denied", object_type="case", object_id=str(case.pk), actor=outsider)
    assert denied.count() == 4
    assert not AuditEvent.objects.filter(action="read", object_type="case", actor=outsider).exists()
    # a case id that does not exist answers the same, without a "denied" entry
    assert client.get("/staf/kasus/999999/").status_code == 404


def test_outsider_does_not_see_the_case_in_lists(case, outsider):
    body = verified_client(outsider).get("/staf/kasus/").content.decode()
    assert case.number not in body


@pytest.mark.parametrize("persona", ["partner_psychologist", "media_partner"])
def test_partner_and_media_are_refused_casework_pages(persona, case, request):
    user = request.getfixturevalue(persona)
    client = verified_client(user)
    assert client.get(f"/staf/kasus/{case.pk}/").status_code == 403
    assert client.get("/staf/pengaduan/").status_code == 403


def test_optimistic_locking_conflict_on_the_page(case, case_manager, supervisor):
    stale_version = case.version
    first = verified_client(case_manager)
    second = verified_client(supervisor)
    assert first.post(f"/staf/kasus/{case.pk}/aksi/status/",
                      {"to_status": "assessment", "version": stale_version}).status_code == 302
    response = second.post(f"/staf/kasus/{case.pk}/aksi/manajer/",
                           {"manager": supervisor.pk, "version": stale_version})
    assert response.status_code == 409
    assert "Kasus ini telah diubah oleh orang lain, muat ulang" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT and case.case_manager is None  # nothing overwritten


def test_optimistic_locking_in_services(case, case_manager):
    stale = case.version
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=stale)
    with pytest.raises(CaseConflict) as info:
        services.risk_assessment_record(actor=case_manager, case=case, answers={"weapon": True}, expected_version=stale)
    assert info.value.message == CONFLICT_MESSAGE
    assert not case.risk_assessments.exists()


def test_invalid_transition_is_refused_with_a_message(case, case_manager):
    client = verified_client(case_manager)
    response = client.post(f"/staf/kasus/{case.pk}/aksi/status/", {"to_status": "monitoring", "version": case.version})
    assert response.status_code == 400
    body = response.content.decode()
    assert "tidak diizinkan" in body and 'role="alert"' in body
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_case_page_offers_only_allowed_transitions(case, case_manager):
    body = verified_client(case_manager).get(f"/staf/kasus/{case.pk}/").content.decode()
    select = body.split('name="to_status"')[1].split("</select>")[0]
    assert 'value="assessment"' in select and 'value="monitoring"' not in select and 'value="closed"' not in select


def test_no_personal_data_in_audit_details(case, case_manager):
    services.case_note_add(actor=case_manager, case=case, kind="other", body="Nama korban Siti, alamat Jl. Mawar")
    for entry in AuditEvent.objects.all():
        assert "Siti" not in str(entry.detail) and "Mawar" not in str(entry.detail)
