"""Case conferences: default agenda of high-risk cases, attendance, consent-scoped discussion, actions → tasks, minutes."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from salingsapa.cases import services as case_services
from salingsapa.cases.models import Task
from salingsapa.network import services
from salingsapa.network.models import CaseConference
from salingsapa.network.selectors import conference_items_visible
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


def _case(actor, manager, risk):
    case = case_services.case_open(actor=actor, report=make_report(), case_manager=manager)
    case.risk_level = risk
    case.save(update_fields=["risk_level"])
    return case


@pytest.fixture
def agenda(case_manager):
    return [_case(case_manager, case_manager, "high"), _case(case_manager, case_manager, "high"),
            _case(case_manager, case_manager, "low")]


def _schedule(actor, orgs):
    return services.conference_schedule(actor=actor, title="Rapat Oktober", scheduled_at=timezone.now() + dt.timedelta(days=2),
                                        place="Rumah Kolaborasi", organisations=orgs)


def test_default_agenda_is_open_high_risk_cases(case_manager, agenda, psychology_org):
    conference = _schedule(case_manager, [psychology_org])
    assert [i.case for i in conference.items.all()] == agenda[:2]
    assert set(conference.invites.values_list("organisation__name", flat=True)) == {"UPTD PPA Kota Serang", psychology_org.name}


def test_partner_sees_only_items_with_consent_and_only_if_attended(case_manager, agenda, psychology_org, partner_psychologist):
    conference = _schedule(case_manager, [psychology_org])
    assert conference_items_visible(partner_psychologist, conference) == []  # no consent yet
    victim = agenda[0].participants.get(role="victim").person
    services.consent_record(actor=case_manager, case=agenda[0], victim=victim, given_by="victim", services=[],
                            recipient_kind="psychology")
    assert [i.case for i in conference_items_visible(partner_psychologist, conference)] == [agenda[0]]
    conference.scheduled_at = timezone.now() - dt.timedelta(hours=1)  # the meeting took place
    conference.save(update_fields=["scheduled_at"])
    services.conference_attendance_record(actor=case_manager, conference=conference, attended={case_manager.organisation_id: "Manajer"})
    assert conference_items_visible(partner_psychologist, conference) == []  # invited but did not attend


def test_action_becomes_a_task_in_the_case(case_manager, agenda):
    conference = _schedule(case_manager, [])
    item = conference.items.first()
    due = timezone.now() + dt.timedelta(days=7)
    action = services.conference_action_add(actor=case_manager, item=item, description="Kunjungan rumah bersama PATBM",
                                            owner=case_manager, due_at=due)
    task = Task.objects.get(pk=action.task_id)
    assert task.case == item.case and task.assigned_to == case_manager and "Kunjungan rumah" in task.title
    with pytest.raises(services.NetworkError):
        services.conference_action_add(actor=case_manager, item=item, description=" ", owner=case_manager, due_at=due)


def test_conference_pages_attendance_discussion_action_and_minutes(case_manager, agenda, psychology_org, partner_psychologist):
    client = verified_client(case_manager)
    response = client.post("/staf/jejaring/rapat/", {
        "title": "Rapat November", "scheduled_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Rumah Kolaborasi", "organisations": [psychology_org.pk]})
    assert response.status_code == 302
    conference = CaseConference.objects.get()
    item = conference.items.first()
    assert client.post(f"/staf/jejaring/rapat/{conference.pk}/aksi/kehadiran/", {
        "attended": [case_manager.organisation_id, psychology_org.pk], f"names-{psychology_org.pk}": "Dr. Psikolog"}).status_code == 302
    assert client.post(f"/staf/jejaring/rapat/{conference.pk}/aksi/bahas/", {
        "item": item.pk, "discussion": "Risiko tinggi; perlu rumah aman"}).status_code == 302
    bad = client.post(f"/staf/jejaring/rapat/{conference.pk}/aksi/tindak-lanjut/", {
        "item": item.pk, "description": "Cari rumah aman", "owner": case_manager.pk, "due_on": "besok"})
    assert bad.status_code == 400 and "tanggal" in bad.content.decode()
    ok = client.post(f"/staf/jejaring/rapat/{conference.pk}/aksi/tindak-lanjut/", {
        "item": item.pk, "description": "Cari rumah aman", "owner": case_manager.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert ok.status_code == 302
    assert Task.objects.filter(case=item.case, title__isnull=False).count() >= 1
    minutes = client.get(f"/staf/jejaring/rapat/{conference.pk}/notulen.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(minutes.content)).pages)
    assert "Dr. Psikolog" in text and "perlu rumah aman" in text and item.case.number in text
    # the psychologist attended but has no consent for these cases: the page shows no case discussion
    partner_page = verified_client(partner_psychologist).get(f"/staf/jejaring/rapat/{conference.pk}/").content.decode()
    assert "perlu rumah aman" not in partner_page and "Tidak ada kasus yang dapat Anda lihat" in partner_page


def test_uninvited_partner_gets_404(case_manager, agenda, partner_psychologist):
    conference = _schedule(case_manager, [])
    assert verified_client(partner_psychologist).get(f"/staf/jejaring/rapat/{conference.pk}/").status_code == 404
