"""Smaller casework fixes (issue 10 item 13, staff parts): the referral letter keeps the signature with its
name on one page; a case conference in the future is not marked held when attendance is saved."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from salingsapa.cases import services as case_services
from salingsapa.network import services
from salingsapa.network.letters import referral_letter_pdf
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages]


def test_referral_letter_never_splits_the_signature_from_the_name(case_manager, psychology_org):
    case_manager.first_name, case_manager.last_name = "Rina", "Marlina"
    case_manager.save()
    case = case_services.case_open(actor=case_manager, report=make_report(), case_manager=case_manager)
    victim = case.participants.get(role="victim").person
    services.consent_record(actor=case_manager, case=case, victim=victim, given_by="victim", services=["psikologis"],
                            recipient_organisation=psychology_org)
    referral = services.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    seen_two_pages = False
    # A note one line longer each time walks the signature block down across the first page boundary.
    for lines in range(0, 12):
        referral.note_to_partner = "\n".join(f"Catatan baris {n}." for n in range(lines))
        referral.save(update_fields=["note_to_partner"])
        pages = _pages(referral_letter_pdf(actor=case_manager, referral=referral))
        seen_two_pages |= len(pages) > 1
        with_title = [i for i, text in enumerate(pages) if "Manajer Kasus," in text]
        with_name = [i for i, text in enumerate(pages) if "Rina Marlina" in text]
        with_place = [i for i, text in enumerate(pages) if "Serang, " in text and "Manajer Kasus" in text]
        assert with_title == with_name == with_place and len(with_name) == 1, (lines, pages)
    assert seen_two_pages  # the walk did reach the page boundary


@pytest.fixture
def conference(case_manager, psychology_org):
    case = case_services.case_open(actor=case_manager, report=make_report(), case_manager=case_manager)
    case.risk_level = "high"
    case.save(update_fields=["risk_level"])
    return services.conference_schedule(actor=case_manager, title="Rapat", scheduled_at=timezone.now() + dt.timedelta(days=2),
                                        place="Rumah Kolaborasi", organisations=[psychology_org])


def test_future_conference_stays_scheduled_when_attendance_is_saved(conference, case_manager, psychology_org):
    client = verified_client(case_manager)
    response = client.post(f"/staf/jejaring/rapat/{conference.pk}/aksi/kehadiran/",
                           {"attended": [psychology_org.pk], f"names-{psychology_org.pk}": "Dr. Psikolog"}, follow=True)
    assert response.status_code == 200
    conference.refresh_from_db()
    assert conference.status == "scheduled"
    assert conference.invites.get(organisation=psychology_org).attended
    assert "belum" in response.content.decode()  # the page says the meeting is not held yet


def test_conference_whose_time_has_come_is_marked_held(conference, case_manager, psychology_org):
    conference.scheduled_at = timezone.now() - dt.timedelta(hours=1)
    conference.save(update_fields=["scheduled_at"])
    services.conference_attendance_record(actor=case_manager, conference=conference, attended={psychology_org.pk: "Dr. P"})
    conference.refresh_from_db()
    assert conference.status == "held"
