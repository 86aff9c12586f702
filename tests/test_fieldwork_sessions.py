"""Field sessions (issue 13 item 3): recording during a visit, the sync endpoint's exactly-once rule,
disclosures through intake's one schema into the intake queue, who may record and read, the counts."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from salingsapa.core.models import AuditEvent, Region
from salingsapa.fieldwork import selectors
from salingsapa.fieldwork.models import FieldSession
from salingsapa.fieldwork.services import SessionInvalid, SessionRefused, field_session_record, report_key
from salingsapa.intake.models import Report
from salingsapa.intake.selectors import intake_queue
from salingsapa.intake.services import report_by_idempotency_key
from tests.casework_helpers import verified_client
from tests.fieldwork_helpers import KELURAHAN, consultation_fields, disclosure_fields, entry, make_visit

pytestmark = pytest.mark.django_db

SYNC = "/staf/lapangan/sinkron/"


def _sync(client, *entries, csrf: bool = False):
    return client.post(SYNC, data=json.dumps({"entries": list(entries)}), content_type="application/json")


def _report_dict(**extra) -> dict:
    data = {"reporter_role": "victim", "in_danger_now": False, "narrative": "Dipukul di rumah.",
            "violence_forms": ["fisik"], "victim": {"sex": "female", "age_group": "13-17"}, "kelurahan_code": KELURAHAN}
    data.update(extra)
    return data


# --- the service ---------------------------------------------------------------------------------


def test_consultation_is_counted_anonymously(counsellor):
    visit = make_visit()
    result = field_session_record(actor=counsellor, visit=visit, client_id=uuid.uuid4(), kind="consultation",
                                  sex="male", age_group="13-17", topic="perundungan")
    session = result.session
    assert result.created and session.report is None
    assert (session.sex, session.age_group, session.topic, session.kelurahan_id) == ("male", "13-17", "perundungan", KELURAHAN)
    assert AuditEvent.objects.filter(object_type="field_session", object_id=str(session.pk), action="create").exists()


def test_disclosure_becomes_one_report_in_the_intake_queue(counsellor, intake_officer):
    visit = make_visit()
    key = uuid.uuid4()
    result = field_session_record(actor=counsellor, visit=visit, client_id=key, kind="disclosure", report=_report_dict())
    report = result.session.report
    assert report is not None and report.channel == "outreach" and report.created_by == counsellor
    assert result.codename  # shown once to the counsellor (online post)
    assert report_by_idempotency_key(report_key(key)) == report  # the intake path's own idempotency holds too
    assert list(intake_queue(user=intake_officer)) == [report]
    # the victim's sex and age group are counted with the session
    assert (result.session.sex, result.session.age_group, result.session.topic) == ("female", "13-17", "")


def test_same_client_id_twice_gives_the_same_session_and_report(counsellor):
    visit = make_visit()
    key = uuid.uuid4()
    first = field_session_record(actor=counsellor, visit=visit, client_id=key, kind="disclosure", report=_report_dict())
    again = field_session_record(actor=counsellor, visit=visit, client_id=str(key), kind="disclosure", report=_report_dict())
    assert not again.created and again.session.pk == first.session.pk and again.codename == ""
    assert FieldSession.objects.count() == 1 and Report.objects.count() == 1


def test_disclosure_errors_come_from_the_one_schema(counsellor):
    visit = make_visit()
    with pytest.raises(SessionInvalid) as exc:
        field_session_record(actor=counsellor, visit=visit, client_id=uuid.uuid4(), kind="disclosure",
                             report=_report_dict(narrative="   ", victim={"sex": "female", "age_group": "99"}))
    codes = {(e.field, e.code) for e in exc.value.field_errors}
    assert ("narrative", "required") in codes and ("victim.age_group", "invalid_choice") in codes
    assert FieldSession.objects.count() == 0 and Report.objects.count() == 0


def test_consultation_needs_codes_from_the_lists(counsellor):
    visit = make_visit()
    with pytest.raises(SessionInvalid) as exc:
        field_session_record(actor=counsellor, visit=visit, client_id=uuid.uuid4(), kind="consultation",
                             sex="female", age_group="", topic="astrologi")
    assert {(e.field, e.code) for e in exc.value.field_errors} == {("age_group", "required"), ("topic", "invalid_choice")}


def test_who_may_record(counsellor, partner_psychologist, media_partner, outsider):
    visit = make_visit(team=[partner_psychologist])
    other = make_visit()
    # a partner professional on the team records on that visit, not on another
    assert field_session_record(actor=partner_psychologist, visit=visit, client_id=uuid.uuid4(), kind="consultation",
                                sex="female", age_group="18-24", topic="kesehatan-mental").created
    with pytest.raises(SessionRefused):
        field_session_record(actor=partner_psychologist, visit=other, client_id=uuid.uuid4(), kind="consultation",
                             sex="female", age_group="18-24", topic="kesehatan-mental")
    with pytest.raises(SessionRefused):
        field_session_record(actor=media_partner, visit=visit, client_id=uuid.uuid4(), kind="consultation",
                             sex="female", age_group="18-24", topic="kesehatan-mental")
    cancelled = make_visit(status="cancelled")
    with pytest.raises(SessionRefused):
        field_session_record(actor=counsellor, visit=cancelled, client_id=uuid.uuid4(), kind="consultation",
                             sex="female", age_group="18-24", topic="kesehatan-mental")


def test_an_id_used_by_someone_else_is_refused_not_replayed(counsellor, intake_officer):
    visit = make_visit()
    key = uuid.uuid4()
    field_session_record(actor=counsellor, visit=visit, client_id=key, kind="consultation", sex="female",
                         age_group="18-24", topic="lainnya")
    with pytest.raises(SessionRefused) as exc:
        field_session_record(actor=intake_officer, visit=visit, client_id=key, kind="consultation", sex="male",
                             age_group="18-24", topic="lainnya")
    assert exc.value.conflict


def test_device_dates_are_kept_unless_impossible(counsellor):
    visit = make_visit()
    earlier = timezone.now() - dt.timedelta(hours=3)
    kept = field_session_record(actor=counsellor, visit=visit, client_id=uuid.uuid4(), kind="consultation", sex="female",
                                age_group="18-24", topic="lainnya", recorded_at=earlier).session
    future = field_session_record(actor=counsellor, visit=visit, client_id=uuid.uuid4(), kind="consultation",
                                  sex="female", age_group="18-24", topic="lainnya",
                                  recorded_at=timezone.now() + dt.timedelta(days=400)).session
    assert kept.recorded_at == earlier
    assert future.recorded_at <= future.synced_at


# --- the sync endpoint ---------------------------------------------------------------------------


def test_sync_is_idempotent_on_the_entry_id(counsellor):
    visit = make_visit()
    client = verified_client(counsellor)
    entries = [entry(visit, consultation_fields()), entry(visit, disclosure_fields()), entry(visit, consultation_fields(sex="male"))]
    first = _sync(client, *entries)
    assert first.status_code == 200
    statuses = [r["status"] for r in first.json()["results"]]
    assert statuses == ["created", "created", "created"]
    report_ref = first.json()["results"][1]["report"]
    again = _sync(client, *entries)  # the device did not hear the answer and sends everything again
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert again.json()["results"][1]["report"] == report_ref
    assert [r["session"] for r in again.json()["results"]] == [r["session"] for r in first.json()["results"]]
    assert FieldSession.objects.count() == 3 and Report.objects.count() == 1
    assert Report.objects.get().reference == report_ref


def test_sync_maps_schema_errors_to_form_fields(counsellor):
    visit = make_visit()
    client = verified_client(counsellor)
    bad = entry(visit, disclosure_fields(narrative="", contact_phone="12ab", victim_age_group="13-17"))
    response = _sync(client, bad, entry(visit, consultation_fields(topic="")))
    results = response.json()["results"]
    assert results[0]["status"] == "invalid"
    assert set(results[0]["errors"]) >= {"narrative", "contact_phone"}
    assert results[1]["status"] == "invalid" and "topic" in results[1]["errors"]
    assert FieldSession.objects.count() == 0 and Report.objects.count() == 0


def test_sync_refuses_without_session_and_bad_bodies(counsellor):
    visit = make_visit()
    from django.test import Client

    anonymous = Client()
    response = anonymous.post(SYNC, data=json.dumps({"entries": [entry(visit, consultation_fields())]}),
                              content_type="application/json")
    assert response.status_code == 401 and response.json()["error"] == "signed_out"
    client = verified_client(counsellor)
    assert client.post(SYNC, data="{nope", content_type="application/json").status_code == 400
    assert _sync(client).status_code == 400
    assert client.post(SYNC, data=json.dumps({"entries": [entry(visit, consultation_fields())] * 26}),
                       content_type="application/json").status_code == 400
    odd = _sync(client, "x", {"id": "not-a-uuid", "visit": visit.pk, "fields": consultation_fields()},
                {"id": str(uuid.uuid4()), "visit": "1", "fields": consultation_fields()},
                {"id": str(uuid.uuid4()), "visit": visit.pk, "fields": ["x"]})
    assert odd.status_code == 200
    assert [r["status"] for r in odd.json()["results"]] == ["invalid", "invalid", "refused", "invalid"]
    assert FieldSession.objects.count() == 0


def test_sync_needs_the_csrf_token(counsellor):
    visit = make_visit()
    from django.test import Client

    from tests.casework_helpers import totp_device

    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)
    session = client.session
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = totp_device(counsellor).persistent_id
    session.save()
    body = json.dumps({"entries": [entry(visit, consultation_fields())]})
    assert client.post(SYNC, data=body, content_type="application/json").status_code == 403
    key = client.get(reverse("field:key")).json()
    response = client.post(SYNC, data=body, content_type="application/json", HTTP_X_CSRFTOKEN=key["csrf"])
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "created"


def test_device_key_only_for_a_signed_in_session(counsellor, intake_officer):
    from django.test import Client

    assert Client().get(reverse("field:key")).status_code == 401
    one = verified_client(counsellor).get(reverse("field:key"))
    assert one.status_code == 200 and "no-store" in one["Cache-Control"]
    data = one.json()
    assert len(data["key"]) == 43 and data["key_id"] and data["owner"]  # 32 bytes, URL-safe base64
    other_session = verified_client(counsellor).get(reverse("field:key")).json()
    assert other_session["key"] != data["key"] and other_session["owner"] == data["owner"]
    assert verified_client(intake_officer).get(reverse("field:key")).json()["owner"] != data["owner"]


# --- pages ---------------------------------------------------------------------------------------


def test_form_posts_without_javascript_and_a_double_post_saves_once(counsellor):
    visit = make_visit()
    client = verified_client(counsellor)
    page = client.get(reverse("field:visit", args=[visit.pk]))
    assert page.status_code == 200
    client_id = page.context["form"].initial["client_id"]
    data = {"client_id": str(client_id), **consultation_fields()}
    first = client.post(reverse("field:visit", args=[visit.pk]), data)
    second = client.post(reverse("field:visit", args=[visit.pk]), data)
    assert first.status_code == second.status_code == 302
    assert FieldSession.objects.count() == 1
    follow = client.get(first["Location"])
    assert "Sesi tersimpan" in follow.content.decode() or "sudah tersimpan" in follow.content.decode()


def test_form_disclosure_shows_reference_once_and_errors_on_fields(counsellor):
    visit = make_visit()
    client = verified_client(counsellor)
    url = reverse("field:visit", args=[visit.pk])
    bad = client.post(url, {"client_id": str(uuid.uuid4()), **disclosure_fields(violence_forms=[], contact_phone="abc")})
    assert bad.status_code == 400
    form = bad.context["form"]
    assert "violence_forms" in form.errors and "contact_phone" in form.errors
    body = bad.content.decode()
    assert 'id="ringkasan-kesalahan"' in body and "Suami sering memukul" in body  # nothing typed is lost
    done = client.post(url, {"client_id": str(uuid.uuid4()), **disclosure_fields()})
    assert done.status_code == 200
    report = Report.objects.get()
    assert report.reference in done.content.decode() and done.context["codename"]


def test_visit_pages_are_scoped(counsellor, partner_psychologist, media_partner):
    visit = make_visit()
    url = reverse("field:visit", args=[visit.pk])
    assert verified_client(counsellor).get(url).status_code == 200
    assert verified_client(partner_psychologist).get(url).status_code == 404  # not on the team
    assert verified_client(media_partner).get(reverse("field:visit_sessions", args=[visit.pk])).status_code == 404
    make_visit(team=[partner_psychologist])
    home = verified_client(partner_psychologist).get(reverse("field:home"))
    assert home.status_code == 200 and len(home.context["visits"]) == 1


def test_sessions_page_counts_and_links_disclosures_only_for_those_allowed(counsellor, partner_psychologist, supervisor):
    visit = make_visit(team=[partner_psychologist])
    for fields in (consultation_fields(), consultation_fields(topic="perundungan", sex="male"), disclosure_fields()):
        _sync(verified_client(counsellor), entry(visit, fields))
    report = Report.objects.get()
    url = reverse("field:visit_sessions", args=[visit.pk])
    page = verified_client(supervisor).get(url)
    body = page.content.decode()
    summary = page.context["summary"]
    assert (summary.total, summary.consultations, summary.disclosures) == (3, 2, 1)
    assert reverse("staff:report", args=[report.pk]) in body
    assert ("Perundungan", 1) in summary.by_topic and ("Laki-laki", 1) in summary.by_sex
    partner_page = verified_client(partner_psychologist).get(url).content.decode()
    assert reverse("staff:report", args=[report.pk]) not in partner_page  # a partner never opens the report
    assert report.narrative not in partner_page and report.reference not in partner_page
    # listing is not a read; opening the report is, and it is audited
    assert not AuditEvent.objects.filter(object_type="report", action="read").exists()
    verified_client(supervisor).get(reverse("staff:report", args=[report.pk]))
    assert AuditEvent.objects.filter(object_type="report", action="read", object_id=str(report.pk)).exists()


def test_service_worker_and_manifest(client):
    sw = client.get("/staf/lapangan/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    body = sw.content.decode()
    assert '"scope": "/staf/lapangan/"' in body and "/staf/lapangan/sinkron/" in body  # never cached
    manifest = client.get("/staf/lapangan/manifest.webmanifest")
    data = json.loads(manifest.content)
    assert manifest["Content-Type"] == "application/manifest+json"
    assert data["scope"] == data["start_url"] == "/staf/lapangan/" and len(data["icons"]) == 2


def test_sign_out_clears_site_data(counsellor):
    client = verified_client(counsellor)
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


# --- counts for the statistics ------------------------------------------------------------------


def test_field_counts_by_area_topic_sex_age_and_month(counsellor, supervisor):
    visit = make_visit()
    other = make_visit(kelurahan="36.73.02.1001")
    for fields in (consultation_fields(), consultation_fields(), consultation_fields(sex="male", topic="perundungan")):
        _sync(verified_client(counsellor), entry(visit, fields))
    _sync(verified_client(counsellor), entry(other, disclosure_fields(kelurahan="36.73.02.1001")))
    today = timezone.localdate()
    counts = selectors.field_counts(start=today.replace(day=1), end=today)
    assert counts.total == 4
    assert {k: n for k, _label, n in counts.by_kind} == {"consultation": 3, "disclosure": 1}
    assert {k: n for k, _label, n in counts.by_kecamatan} == {"36.73.01": 3, "36.73.02": 1}
    assert {k: n for k, _label, n in counts.by_topic} == {"pengasuhan-anak": 2, "perundungan": 1}
    assert {k: n for k, _label, n in counts.by_sex} == {"female": 3, "male": 1}
    assert [(k, n) for k, _label, n in counts.by_month] == [(today.strftime("%Y-%m"), 4)]
    assert selectors.field_counts(start=today, end=today, region_code="36.73.02").total == 1
    page = verified_client(supervisor).get(reverse("field:stats"))
    assert page.status_code == 200 and "Perundungan" in page.content.decode()
    assert verified_client(counsellor).get(reverse("field:stats")).status_code == 200


def test_stats_page_is_for_the_lead_agency(partner_psychologist):
    assert verified_client(partner_psychologist).get(reverse("field:stats")).status_code == 403


def test_no_personal_data_in_field_urls():
    for name in ("field:home", "field:key", "field:sync", "field:stats"):
        assert "?" not in reverse(name)
    assert settings.SESSION_COOKIE_HTTPONLY


def test_field_pages_in_english(counsellor, supervisor):
    from tests.test_english_complete import indonesian_strings, untranslated, visible_text

    visit = make_visit()
    _sync(verified_client(counsellor), entry(visit, consultation_fields()), entry(visit, disclosure_fields()))
    strings = indonesian_strings()
    client = verified_client(supervisor)
    client.cookies["django_language"] = "en"
    for url in (reverse("field:home"), reverse("field:visit", args=[visit.pk]),
                reverse("field:visit_sessions", args=[visit.pk]), reverse("field:stats")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en"' in page
        text = visible_text(page).replace(visit.venue_name, " ")
        # place names (the kelurahan list) are data; the venue kind is outreach's label
        for name in sorted({*Region.objects.values_list("name", flat=True), "Posyandu"}, key=len, reverse=True):
            text = text.replace(name, " ")
        assert untranslated(text, strings) == [], url
        if url == reverse("field:visit", args=[visit.pk]):  # the script's words come in the reader's language
            assert '"saved": "Saved on this device."' in page and '"needTopic": "Choose the topic' in page
    bad = client.post(reverse("field:visit", args=[visit.pk]), {"client_id": str(uuid.uuid4()), "kind": "consultation"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose the topic of the consultation." in bad.content.decode()


def test_field_sessions_on_the_statistics_dashboard(counsellor, supervisor):
    visit = make_visit()
    for fields in (consultation_fields(), consultation_fields(topic="perundungan"), disclosure_fields()):
        _sync(verified_client(counsellor), entry(visit, fields))
    today = timezone.localdate()
    page = verified_client(supervisor).get(f"/staf/statistik/?start={today.replace(day=1)}&end={today}")
    assert page.status_code == 200
    field = page.context["field"]
    assert field.total == 3 and {k: n for k, _label, n in field.by_kind} == {"consultation": 2, "disclosure": 1}
    body = page.content.decode()
    assert 'id="field-h"' in body and "Perundungan" in body
    # a kecamatan without sessions shows none
    empty = verified_client(supervisor).get(f"/staf/statistik/?start={today.replace(day=1)}&end={today}&area=36.73.02")
    assert empty.context["field"].total == 0
    here = verified_client(supervisor).get(f"/staf/statistik/?start={today.replace(day=1)}&end={today}&area=36.73.01")
    assert here.context["form_ok"] and here.context["field"].total == 3


def test_field_page_weight(counsellor):
    """The visit page and the files it loads stay light for a cheap phone (docs/performance.md)."""
    from pathlib import Path

    visit = make_visit()
    page = verified_client(counsellor).get(reverse("field:visit", args=[visit.pk]))
    static = Path(settings.BASE_DIR) / "staff" / "static" / "staff"
    body = page.content.decode()
    assets = ["staff.css", "field.css", "field.js"]
    for name in assets:
        assert f"/static/staff/{name}" in body
    total = len(page.content) + sum((static / name).stat().st_size for name in assets)
    assert total < 60_000, total
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_demo_sessions_for_past_visits(counsellor):
    import random

    from salingsapa.demo.fieldwork import field_sessions_seed

    past = make_visit(day=timezone.localdate() - dt.timedelta(days=3))
    make_visit(day=timezone.localdate() + dt.timedelta(days=3))
    added = field_sessions_seed(random.Random(1))
    assert added >= 3 and FieldSession.objects.filter(visit=past).count() == added
    assert field_sessions_seed(random.Random(1)) == 0  # run again: nothing twice
