"""One intake: every channel maps into ``intake.schema.ReportInput`` and gets the same errors (field, code, message)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from salingsapa.intake.models import Report
from salingsapa.intake.schema import ReportInvalid, report_check, report_input
from salingsapa.intake.services import report_create
from salingsapa.public.forms import WhenForm, form_values_to_report
from salingsapa.staff.forms import IntakeForm
from tests.test_api_reports import valid_payload


def test_a_plain_dict_is_enough_for_a_channel(db):
    receipt = report_create(data=valid_payload(contact={"phone": "0812 3456 7890", "preferred_channel": "sms"}),
                            channel="whatsapp")
    report = Report.objects.get(pk=receipt.report.pk)
    assert report.channel == "whatsapp" and report.contact_phone == "+6281234567890"


def test_errors_carry_field_code_and_message(db):
    with pytest.raises(ReportInvalid) as caught:
        report_input(valid_payload(victim={"sex": "female"}, violence_forms=[], kelurahan_code="31.71.01.1001"))
    errors = {(e.field, e.code) for e in caught.value.field_errors}
    assert errors == {("victim.age_group", "required"), ("violence_forms", "required"),
                      ("kelurahan_code", "outside_area")}
    assert caught.value.errors["victim.age_group"] == ["Pilih kelompok umur korban."]


def test_paths_and_codes_do_not_depend_on_the_language(db):
    payload = valid_payload(perpetrator_identifiers=[{"kind": "nik", "value": "123"}])
    with pytest.raises(ReportInvalid) as indonesian:
        report_input(payload)
    with translation.override("en"), pytest.raises(ReportInvalid) as english:
        report_input(payload)
    assert indonesian.value.codes == english.value.codes == {"perpetrator_identifiers.0.value": ["invalid_identifier"]}


def test_incident_date_in_the_future_is_one_rule_for_every_channel(db, client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # the schema
    assert [(e.field, e.code) for e in report_check({"incident_date": tomorrow.isoformat()},
                                                   fields=["incident_date"])] == [("incident_date", "future_date")]
    # the public form's page
    form = WhenForm({"incident_date": tomorrow.isoformat()})
    assert not form.is_valid() and form.errors["incident_date"] == ["Tanggal kejadian tidak boleh di masa depan."]
    # staff intake
    staff = IntakeForm({"channel": "phone", "reporter_role": "victim", "narrative": "cerita", "violence_forms": ["fisik"],
                        "victim_sex": "female", "victim_age_group": "25-44", "kelurahan": "36.73.01.1001",
                        "incident_date": tomorrow.isoformat()})
    assert not staff.is_valid() and staff.errors["incident_date"] == ["Tanggal kejadian tidak boleh di masa depan."]
    # the API
    response = client.post("/api/v1/reports", data=valid_payload(incident_date=tomorrow.isoformat()),
                           content_type="application/json")
    assert response.json()["codes"] == {"incident_date": ["future_date"]}


def test_staff_intake_puts_schema_errors_on_its_own_fields(db):
    form = IntakeForm({"channel": "walk_in", "reporter_role": "victim", "narrative": "\u200b",
                       "violence_forms": ["fisik"], "victim_sex": "female", "victim_age_group": "13-17",
                       "kelurahan": "", "contact_phone": "0812-ABC-DEF", "preferred_channel": "whatsapp",
                       "perpetrator_kind_2": "phone", "perpetrator_value_2": "12"})
    assert not form.is_valid()
    assert form.errors["narrative"] == ["Ceritakan secara singkat apa yang terjadi."]
    assert form.errors["kelurahan"] == ["Pilih kelurahan tempat kejadian di Kota Serang."]
    assert form.errors["contact_phone"] == ["Nomor telepon tidak dapat dibaca."]
    assert "perpetrator_value_2" in form.errors and "perpetrator_value_1" not in form.errors


def test_public_form_values_map_to_the_schema_shape():
    report = form_values_to_report({"victim_sex": "male", "victim_is_child": "yes", "in_danger_now": "no",
                                    "ident_value_2": " @pelaku ", "ident_kind_2": "instagram",
                                    "preferred_channel": ""})
    assert report["victim"] == {"sex": "male", "age_group": "", "is_child": True}
    assert report["in_danger_now"] is False
    assert report["perpetrator_identifiers"] == [{"kind": "instagram", "value": " @pelaku "}]
    assert report["contact"]["preferred_channel"] is None


def test_the_one_queue_puts_emergencies_then_high_risk_then_the_oldest(db, intake_officer):
    from salingsapa.intake.selectors import intake_queue
    from salingsapa.staff.services import report_triage

    start = timezone.now() - dt.timedelta(days=3)

    def make(hours, **overrides):
        return report_create(data=valid_payload(**overrides), channel="api",
                             received_at=start + dt.timedelta(hours=hours)).report

    oldest, high, danger, newest = make(0), make(1), make(2, in_danger_now=True), make(3)
    report_triage(actor=intake_officer, report=high, risk_level="high", is_emergency=False)
    assert list(intake_queue(user=intake_officer)) == [danger, high, oldest, newest]


def test_openapi_document_states_the_rules_the_server_enforces(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    report = schemas["ReportInput"]["properties"]
    assert report["narrative"]["minLength"] == 1 and report["narrative"]["maxLength"] == 10_000
    assert "\\u200b" in report["narrative"]["pattern"]  # zero-width characters alone do not count
    assert report["violence_forms"]["minItems"] == 1
    assert "36.73.01.1001" in report["kelurahan_code"]["enum"]
    assert report["perpetrator_identifiers"]["maxItems"] == 10
    assert set(schemas["VictimIn"]["properties"]["sex"]["enum"]) == {"female", "male", "unknown"}
    assert schemas["IdentifierIn"]["properties"]["value"]["minLength"] == 1
    assert schemas["ContactIn"]["properties"]["phone"]["maxLength"] == 40
    assert "phone_needed" in schemas["ErrorOut"]["properties"]["codes"]["description"]
    responses = doc["paths"]["/api/v1/reports"]["post"]["responses"]
    for status in ("400", "409", "413", "429"):
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    # every operation that takes input documents its 400, and text parameters are NUL-free
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in operation["responses"], path
            for param in operation.get("parameters", []):
                schema = param["schema"]
                options = [schema, *schema.get("anyOf", [])]
                for option in options:
                    if option.get("type") == "string" and "enum" not in option and "format" not in option:
                        assert option["pattern"] == "^[^\\u0000]*$", (path, param["name"])
