"""The mobile-counselling pages of one visit or booking, rendered in English, show no Indonesian text that
the catalogues translate (the same check as test_english_complete, which renders the pages without an object)."""

from __future__ import annotations

import pytest

from salingsapa.accounts.models import Organisation
from salingsapa.core.models import Region
from salingsapa.outreach import services
from tests.casework_helpers import verified_client
from tests.outreach_helpers import make_visit
from tests.test_english_complete import _english_client, indonesian_strings, untranslated, visible_text

pytestmark = pytest.mark.django_db


def _problems(client, url, data):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    assert '<html lang="en"' in page
    text = visible_text(page)
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    return untranslated(text, indonesian_strings())


def test_outreach_pages_in_english(case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist], venue_name="SDN 3")
    booked = services.booking_create(visit_id=visit.pk, data={"anonymous": False, "contact": {
        "name": "Ani", "phone": "081234567890", "preferred_channel": "whatsapp", "safe_time": "pagi"}})
    anonymous = services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    data = (set(Region.objects.values_list("name", flat=True)) | {"SDN 3", "Ani", "pagi"}
            | {str(o) for o in Organisation.objects.all()} | set(Organisation.objects.values_list("name", flat=True)))
    public = _english_client(None)
    staff = verified_client(case_manager)
    staff.cookies["django_language"] = "en"
    failures = {}
    for client, url in [
        (public, "/konseling-keliling/"), (public, f"/konseling-keliling/{visit.pk}/poster/"),
        (public, f"/konseling-keliling/{visit.pk}/pesan/"), (public, "/konseling-keliling/minta/"),
        (public, "/konseling-keliling/janji/"),
        (staff, "/staf/keliling/"), (staff, f"/staf/keliling/{visit.pk}/"), (staff, "/staf/keliling/baru/"),
        (staff, f"/staf/keliling/{visit.pk}/ubah/"),
        (staff, f"/staf/keliling/janji/{booked.booking.pk}/"), (staff, f"/staf/keliling/janji/{anonymous.booking.pk}/"),
    ]:
        problems = _problems(client, url, data)
        if problems:
            failures[url] = problems
    # a booking whose visit moved, as its person sees it with the codename
    services.visit_update(by=case_manager, visit=visit, expected_version=visit.version, date=visit.date,
                          start_time=visit.start_time.replace(hour=10), end_time=visit.end_time.replace(hour=11),
                          kelurahan=visit.kelurahan, venue_kind=visit.venue_kind, venue_name=visit.venue_name,
                          team=[(partner_psychologist, "psychologist")])
    public.post("/konseling-keliling/janji/", {"reference": anonymous.reference, "codename": anonymous.codename})
    page = public.get("/konseling-keliling/janji/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="perubahan"' in page and "was changed by the staff" in page
    problems = _problems(public, "/konseling-keliling/janji/", data)
    if problems:
        failures["booking page after a change"] = problems
    assert not failures, failures
