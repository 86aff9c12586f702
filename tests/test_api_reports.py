"""POST /api/v1/reports: validation with per-field 400s, idempotency, 413, 429, OpenAPI."""

from __future__ import annotations

import json

import pytest

from salingsapa.core import crypto
from salingsapa.intake.models import Report, ReportIdentifier

URL = "/api/v1/reports"


def valid_payload(**overrides):
    payload = {
        "reporter_role": "family",
        "in_danger_now": False,
        "narrative": "Anak saya dipukul oleh tetangga kemarin sore.",
        "violence_forms": ["fisik"],
        "victim": {"sex": "female", "age_group": "25-44"},
        "kelurahan_code": "36.73.01.1001",
    }
    payload.update(overrides)
    return payload


def post(client, payload, **headers):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_valid_report_is_created_with_reference_and_codename(client, db):
    response = post(client, valid_payload(
        incident_date="2025-10-01",
        perpetrator_identifiers=[{"kind": "instagram", "value": "https://www.instagram.com/Pelaku.Satu/"}],
        contact={"name": "Ibu A", "phone": "0812-3456-7890", "preferred_channel": "whatsapp", "safe_time": "pagi"},
        consent={"contact_me": True, "share_with_partners": True},
    ))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("LP-")
    assert len(body["codename"].split()) == 7
    assert response["Cache-Control"] == "no-store"
    report = Report.objects.get(reference=body["reference"])
    assert report.channel == "api"
    assert report.narrative.startswith("Anak saya")
    assert report.kelurahan_id == "36.73.01.1001"
    assert report.contact_phone == "+6281234567890"
    assert report.consent_contact and report.consent_share
    # the codename is stored only as an Argon2 hash
    assert body["codename"] not in report.codename_hash
    assert report.codename_hash.startswith("$argon2id$")
    assert crypto.verify_codename(report.codename_hash, body["codename"])
    ident = ReportIdentifier.objects.get(report=report)
    assert (ident.kind, ident.value) == ("instagram", "pelaku.satu")


@pytest.mark.parametrize(
    "field", ["reporter_role", "in_danger_now", "narrative", "violence_forms", "victim", "kelurahan_code"]
)
def test_each_required_field_missing_gives_400_with_its_own_message(client, db, field):
    payload = valid_payload()
    del payload[field]
    response = post(client, payload)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors
    assert errors[field][0] and "required" not in errors[field][0].lower()
    assert Report.objects.count() == 0


@pytest.mark.parametrize("field", ["sex", "age_group"])
def test_victim_subfields_are_required(client, db, field):
    payload = valid_payload()
    del payload["victim"][field]
    response = post(client, payload)
    assert response.status_code == 400
    assert f"victim.{field}" in response.json()["errors"]


def test_several_bad_fields_are_reported_together_in_bahasa_indonesia(client, db):
    response = post(client, valid_payload(
        reporter_role="alien", violence_forms=["fisik", "nonsense"], victim={"sex": "x", "age_group": "99"},
        incident_date="kemarin",
    ))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["reporter_role"] == ["Pilih siapa yang melapor."]
    assert errors["victim.sex"] == ["Pilih jenis kelamin korban."]
    assert errors["victim.age_group"] == ["Pilih kelompok umur korban."]
    assert "violence_forms.1" in errors
    assert "TTTT-BB-HH" in errors["incident_date"][0]


def test_domain_rules_give_per_field_400(client, db):
    response = post(client, valid_payload(
        narrative="   ",
        violence_forms=[],
        kelurahan_code="31.71.01.1001",
        incident_date="2999-01-01",
        perpetrator_identifiers=[{"kind": "phone", "value": "abc"}],
        contact={"preferred_channel": "whatsapp"},
    ))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"narrative", "violence_forms", "kelurahan_code", "incident_date",
                           "perpetrator_identifiers.0.value", "contact.phone"}
    assert "masa depan" in errors["incident_date"][0]


def test_child_age_contradicting_is_child_is_refused(client, db):
    response = post(client, valid_payload(victim={"sex": "female", "age_group": "13-17", "is_child": False}))
    assert response.status_code == 400
    assert "victim.is_child" in response.json()["errors"]


def test_invalid_json_is_400_not_500(client, db):
    response = post(client, "{not json")
    assert response.status_code == 400
    assert response.json()["errors"]["body"]


def test_json_that_is_not_an_object_is_400(client, db):
    response = post(client, "[1, 2]")
    assert response.status_code == 400


def test_same_idempotency_key_twice_gives_one_report_and_same_reference_and_codename(client, db):
    first = client.post(URL, data=json.dumps(valid_payload()), content_type="application/json",
                        headers={"Idempotency-Key": "key-7f2c1e"})
    second = client.post(URL, data=json.dumps(valid_payload()), content_type="application/json",
                         headers={"Idempotency-Key": "key-7f2c1e"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1
    stored = Report.objects.get()
    assert stored.idempotency_key != "key-7f2c1e"  # only a keyed hash of the key is stored
    assert crypto.verify_codename(stored.codename_hash, second.json()["codename"])


def test_reused_idempotency_key_with_other_content_is_409(client, db):
    headers = {"Idempotency-Key": "key-reused"}
    assert client.post(URL, data=json.dumps(valid_payload()), content_type="application/json", headers=headers).status_code == 201
    other = valid_payload(narrative="Cerita yang lain sama sekali.")
    response = client.post(URL, data=json.dumps(other), content_type="application/json", headers=headers)
    assert response.status_code == 409
    assert Report.objects.count() == 1


def test_without_key_two_posts_are_two_reports_with_different_codenames(client, db):
    a = post(client, valid_payload()).json()
    b = post(client, valid_payload()).json()
    assert a["reference"] != b["reference"] and a["codename"] != b["codename"]


def test_oversize_body_is_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(client, valid_payload(narrative="x" * 20_000))
    assert response.status_code == 413
    assert Report.objects.count() == 0


def test_rate_limit_gives_429_with_retry_after(client, db, settings):
    settings.REPORT_RATE_LIMIT = 2
    assert post(client, valid_payload()).status_code == 201
    assert post(client, valid_payload()).status_code == 201
    response = post(client, valid_payload())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Report.objects.count() == 2
    # another client address has its own budget
    other = client.post(URL, data=json.dumps(valid_payload()), content_type="application/json", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 201


def test_openapi_document_describes_the_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    op = doc["paths"]["/api/v1/reports"]["post"]
    assert {"201", "400", "413", "429"} <= set(op["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in op["parameters"])
    schema_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    required = doc["components"]["schemas"][schema_ref]["required"]
    assert set(required) >= {"reporter_role", "in_danger_now", "narrative", "violence_forms", "victim", "kelurahan_code"}


def test_no_interactive_docs_page_that_would_load_a_cdn(client, db):
    assert client.get("/api/v1/docs").status_code == 404


def test_body_that_is_not_json_gets_a_clear_400(client, db):  # the rate limit counts in the database
    response = client.post("/api/v1/reports", data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Isi permintaan bukan JSON yang valid."


def test_a_reference_that_collides_is_drawn_again_and_nothing_is_written_twice(client, db, monkeypatch):
    from salingsapa.core.models import AuditEvent
    from salingsapa.intake import services

    first = post(client, valid_payload()).json()["reference"]
    drawn = iter([first, "LP-AAAA-BBBB"])  # the unique index, not a look-up, finds the collision
    monkeypatch.setattr(services, "reference_new", lambda: next(drawn))
    audited = AuditEvent.objects.filter(object_type="report").count()
    response = post(client, valid_payload(narrative="Laporan kedua, nomor pertama bertabrakan."),
                    **{"Idempotency-Key": "key-collides"})
    assert response.status_code == 201 and response.json()["reference"] == "LP-AAAA-BBBB"
    assert Report.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="report").count() == audited + 1  # the rolled-back try left none
    report = Report.objects.get(reference="LP-AAAA-BBBB")
    assert report.deadlines.count() == 1


def test_a_new_report_is_written_in_few_statements(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(client, valid_payload())  # warm-up: the home region's kelurahan codes are read once per process
    with CaptureQueriesContext(connection) as q:
        assert post(client, valid_payload(), **{"Idempotency-Key": "key-new"}).status_code == 201
    sql = [x["sql"] for x in q.captured_queries]
    # no look-up of the key or the reference before the insert; the clock is one INSERT; the audit head
    # is locked, counted and read in one UPDATE ... RETURNING
    assert not any(s.startswith("SELECT") and "intake_report" in s for s in sql)
    assert sum("cases_deadline" in s for s in sql) == 1
    assert sum("core_audithead" in s for s in sql) == 2
    assert len(sql) <= 9, sql  # rate limit, savepoint/BEGIN, report, clock, rollup check, 3 audit, COMMIT


def test_a_retry_after_the_report_was_stored_replays_it_by_the_unique_key(client, db):
    headers = {"Idempotency-Key": "key-retry"}
    first = post(client, valid_payload(), **headers)
    second = post(client, valid_payload(), **headers)
    assert second.status_code == 201 and second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1
