"""Staff pages of outbound messages: the list (supervisors, administrators; masked, no content),
do-not-contact on the report page, one's own notification preference."""

from __future__ import annotations

import pytest

from salingsapa.notify.models import ContactAddress, OutboundMessage
from salingsapa.notify.services import address_may_contact, message_queue, whatsapp_text
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Rahasia: rumah aman di Jalan Melati"


def test_outbound_list_shows_status_and_error_masked_never_the_body(supervisor):
    message = message_queue(channel="whatsapp", address="0812-3456-7123", content=whatsapp_text(SECRET_TEXT),
                            purpose="reporter_notice", reference="P-2026-0001")
    OutboundMessage.objects.filter(pk=message.pk).update(status="failed", attempts=3, error_code=131026,
                                                         error_title="(#131026) Message undeliverable")
    page = verified_client(supervisor).get("/staf/pesan/?status=failed").content.decode()
    assert "+62 8** **** 123" in page and "131026" in page and "Message undeliverable" in page
    assert "Pemberitahuan ke pelapor" in page and "P-2026-0001" in page
    assert "Melati" not in page and "3456" not in page


@pytest.mark.parametrize("persona", ["intake_officer", "case_manager", "partner_psychologist", "media_partner"])
def test_outbound_list_is_for_supervisors_and_administrators(request, persona, administrator):
    user = request.getfixturevalue(persona)
    assert verified_client(user).get("/staf/pesan/").status_code == 403
    assert verified_client(administrator).get("/staf/pesan/").status_code == 200


def test_bad_status_filter_is_ignored(supervisor):
    client = verified_client(supervisor)
    assert client.get("/staf/pesan/?status=zz&page=999").status_code == 200
    assert client.get("/staf/pesan/?status=%00zz").status_code == 400  # the forbidden-characters guard, not a 500


def test_do_not_contact_from_the_report_page(case_manager, supervisor):
    report = make_report(contact_phone="0812-7777-6543", preferred_channel="whatsapp", consent_contact=True)
    client = verified_client(case_manager)
    page = client.get(f"/staf/pengaduan/{report.pk}/").content.decode()
    assert "Tandai jangan dihubungi" in page
    url = f"/staf/pesan/pengaduan/{report.pk}/jangan-hubungi/"
    response = client.post(url, {"reason": ""})  # the reason is required
    assert response.status_code == 302 and address_may_contact(channel="whatsapp", address="081277776543")
    response = client.post(url, {"reason": "ponsel dipegang suami"})
    assert response.status_code == 302
    assert not address_may_contact(channel="whatsapp", address="081277776543")
    assert not address_may_contact(channel="sms", address="081277776543")
    page = client.get(f"/staf/pengaduan/{report.pk}/").content.decode()
    assert "JANGAN DIHUBUNGI" in page and "Izinkan dihubungi lagi" not in page
    assert client.post(url, {"allow": "on"}).status_code == 403  # only a supervisor lifts it
    verified_client(supervisor).post(url, {"allow": "on"})
    assert address_may_contact(channel="whatsapp", address="081277776543")
    assert ContactAddress.objects.get().do_not_contact_reason == ""


def test_do_not_contact_on_another_offices_report_is_404(outsider):
    report = make_report(contact_phone="0812-7777-6543")
    response = verified_client(outsider).post(f"/staf/pesan/pengaduan/{report.pk}/jangan-hubungi/", {"reason": "x"})
    assert response.status_code == 404
    assert ContactAddress.objects.count() == 0


def test_preferences_page(intake_officer):
    client = verified_client(intake_officer)
    assert client.get("/staf/pesan/preferensi/").status_code == 200
    response = client.post("/staf/pesan/preferensi/", {"notify_by": "whatsapp", "phone": "bukan nomor"})
    assert response.status_code == 400 and "bukan nomor" in response.content.decode()  # what was typed is kept
    response = client.post("/staf/pesan/preferensi/", {"notify_by": "whatsapp", "phone": "0813 2222 3333"})
    assert response.status_code == 302
    intake_officer.refresh_from_db()
    assert (intake_officer.notify_by, intake_officer.notify_phone) == ("whatsapp", "+6281322223333")
    intake_officer.email = ""
    intake_officer.save()
    response = client.post("/staf/pesan/preferensi/", {"notify_by": "email", "phone": ""})
    assert response.status_code == 400
    response = client.post("/staf/pesan/preferensi/", {"notify_by": "app", "phone": ""})
    assert response.status_code == 302
    intake_officer.refresh_from_db()
    assert (intake_officer.notify_by, intake_officer.notify_phone) == ("app", "")
