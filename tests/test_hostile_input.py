"""Hostile input on every public form and endpoint: a 4xx with a field message, never a 500, never a silent drop.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``): PostgreSQL refuses NUL in text and in query
parameters, so a value that slips through shows up there as a 500.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from salingsapa.intake.models import Report, ReportMessage
from tests.reporting import STEP_DATA, fill_steps, submit
from tests.test_api_reports import valid_payload

URL = "/api/v1/reports"
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u2060"
NUL_VALUES = ["\x00", "a\x00b", "36.73.01.1001\x00"]
BLANK_VALUES = ["   ", ZERO_WIDTH, f" {ZERO_WIDTH}\n\t ", "\u00ad"]


def post_json(client, payload):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json")


def api_error(response, field):
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert field in body["errors"], body
    assert body["errors"][field][0]
    return body["codes"][field]


# --- the API ------------------------------------------------------------------------------------


def test_lone_surrogate_in_narrative_is_a_400_with_a_field_message(client, db):
    raw = json.dumps(valid_payload(narrative="PLACEHOLDER")).replace("PLACEHOLDER", "cerita \\ud800 lagi")
    codes = api_error(post_json(client, raw), "narrative")
    assert codes == ["invalid_characters"]
    assert Report.objects.count() == 0


@pytest.mark.parametrize("value", NUL_VALUES)
@pytest.mark.parametrize("field", ["narrative", "kelurahan_code"])
def test_nul_in_text_fields_is_a_400(client, db, field, value):
    codes = api_error(post_json(client, valid_payload(**{field: value})), field)
    assert codes[0] in {"invalid_characters", "invalid_choice", "outside_area"}
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("path", "body"), [
    ("contact.name", {"contact": {"name": "Ibu\x00A"}}),
    ("contact.safe_time", {"contact": {"safe_time": "\ud800"}}),
    ("contact.phone", {"contact": {"phone": "0812\x003456"}}),
    ("perpetrator_identifiers.0.value", {"perpetrator_identifiers": [{"kind": "instagram", "value": "a\x00"}]}),
])
def test_nul_and_surrogates_in_nested_fields_are_400(client, db, path, body):
    codes = api_error(post_json(client, valid_payload(**body)), path)
    assert "invalid_characters" in codes or "invalid_phone" in codes


@pytest.mark.parametrize("value", BLANK_VALUES)
def test_whitespace_or_zero_width_narrative_counts_as_empty(client, db, value):
    response = post_json(client, valid_payload(narrative=value))
    assert api_error(response, "narrative") == ["required"]
    assert response.json()["errors"]["narrative"] == ["Ceritakan secara singkat apa yang terjadi."]


@pytest.mark.parametrize("value", ["\u200b", " "])
def test_blank_identifier_value_is_refused(client, db, value):
    response = post_json(client, valid_payload(perpetrator_identifiers=[{"kind": "instagram", "value": value}]))
    assert api_error(response, "perpetrator_identifiers.0.value") == ["required"]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("contact", "0812-3456-7890", "not_object"),
    ("contact", ["0812"], "not_object"),
    ("contact", 812, "not_object"),
    ("consent", "yes", "not_object"),
    ("consent", True, "not_object"),
    ("victim", "female", "not_object"),
    ("in_danger_now", "true", "not_boolean"),
    ("in_danger_now", 1, "not_boolean"),
    ("violence_forms", "fisik", "not_list"),
    ("narrative", 12345, "not_text"),
    ("incident_date", 20251001, "invalid_date"),
    ("incident_date", "1-10-2025", "invalid_date"),
    ("kelurahan_code", 3673011001, "not_text"),
])
def test_wrong_json_type_is_a_400_not_a_silent_drop(client, db, field, value, code):
    codes = api_error(post_json(client, valid_payload(**{field: value})), field)
    assert codes == [code]
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("body", "path"), [
    ({"contact": {"phone": 81234567890}}, "contact.phone"),
    ({"consent": {"contact_me": "yes"}}, "consent.contact_me"),
    ({"consent": {"share_with_partners": 1}}, "consent.share_with_partners"),
    ({"victim": {"sex": "female", "age_group": "25-44", "is_child": "no"}}, "victim.is_child"),
])
def test_wrong_types_inside_objects_are_400(client, db, body, path):
    api_error(post_json(client, valid_payload(**body)), path)


@pytest.mark.parametrize("phone", ["0812-ABC-DEF", "0812-3456-789O", "+62 812 abcd efgh", "081234", "12345",
                                   "+1 555", "0000000000"])
def test_phones_must_be_real_numbers_and_letters_are_not_digits(client, db, phone):
    response = post_json(client, valid_payload(contact={"phone": phone, "preferred_channel": "whatsapp"}))
    assert api_error(response, "contact.phone") == ["invalid_phone"]
    response = post_json(client, valid_payload(perpetrator_identifiers=[{"kind": "phone", "value": phone}]))
    assert api_error(response, "perpetrator_identifiers.0.value") == ["invalid_phone"]


@pytest.mark.parametrize(("phone", "e164"), [
    ("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
    ("(0254) 123456", "+62254123456"), ("+44 20 7946 0958", "+442079460958"),
])
def test_real_indonesian_and_international_numbers_are_kept(client, db, phone, e164):
    response = post_json(client, valid_payload(contact={"phone": phone, "preferred_channel": "phone"}))
    assert response.status_code == 201, response.content
    assert Report.objects.get().contact_phone == e164


def test_errors_carry_field_codes_and_messages(client, db):
    response = post_json(client, valid_payload(victim={"sex": "x", "age_group": "13-17", "is_child": False},
                                               incident_date="2999-01-01"))
    body = response.json()
    assert body["codes"]["victim.sex"] == ["invalid_choice"]
    assert body["codes"]["victim.is_child"] == ["age_group_is_child"]
    assert body["codes"]["incident_date"] == ["future_date"]
    assert body["errors"]["incident_date"] == ["Tanggal kejadian tidak boleh di masa depan."]


def test_nul_in_api_query_string_is_a_json_400(client, db):
    response = client.get("/api/v1/openapi.json?x=%00")
    assert response.status_code == 400
    assert response.json()["codes"] == {"query": ["invalid_characters"]}


# --- the public report form ----------------------------------------------------------------------


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(("step", "field"), [
    ("pelapor", "reporter_role"), ("bahaya", "in_danger_now"), ("kejadian", "narrative"),
    ("kejadian", "violence_forms"), ("korban", "victim_sex"), ("korban", "victim_age_group"),
    ("korban", "victim_is_child"), ("lokasi", "kelurahan_code"), ("lokasi", "place"), ("waktu", "incident_date"),
    ("pelaku", "relationship"), ("pelaku", "ident_kind_1"), ("pelaku", "ident_value_1"),
    ("kontak", "contact_name"), ("kontak", "contact_phone"), ("kontak", "preferred_channel"),
    ("kontak", "safe_time"),
])
@pytest.mark.parametrize("value", NUL_VALUES)
def test_nul_in_any_report_step_field_is_a_400_page(client, db, step, field, value):
    # as a browser sends a form: urlencoded (refused before any view, in the public pages' style)
    body = urlencode({**STEP_DATA[step], field: value}, doseq=True)
    response = client.post(f"/lapor/{step}/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert "tidak diizinkan" in _page(response) and "\x00" not in _page(response)
    # multipart (the evidence step's encoding): the form's own fields refuse it
    response = client.post(f"/lapor/{step}/", {**STEP_DATA[step], field: value})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("value", BLANK_VALUES)
def test_blank_narrative_on_the_form_counts_as_empty(client, db, value):
    response = client.post("/lapor/kejadian/", {**STEP_DATA["kejadian"], "narrative": value})
    assert response.status_code == 400
    assert "Ceritakan secara singkat apa yang terjadi." in _page(response)


def test_letters_in_a_phone_on_the_form_are_refused_beside_the_field(client, db):
    response = client.post("/lapor/kontak/", {**STEP_DATA["kontak"], "contact_phone": "0812-ABC-DEF"})
    assert response.status_code == 400
    page = _page(response)
    assert "Nomor telepon tidak dapat dibaca." in page and 'value="0812-ABC-DEF"' in page


def test_identifier_error_lands_on_the_row_that_holds_it(client, db):
    data = {**STEP_DATA["pelaku"], "ident_kind_1": "phone", "ident_value_1": "",
            "ident_kind_2": "phone", "ident_value_2": "0812-ABC"}
    response = client.post("/lapor/pelaku/", data)
    assert response.status_code == 400
    page = _page(response)
    assert "Nomor telepon tidak dapat dibaca." in page
    # the message sits on the second row's field, not the first's
    errors = response.context["form"].errors
    assert errors["ident_value_2"] == ["Nomor telepon tidak dapat dibaca."] and "ident_value_1" not in errors
    assert page.rindex("Nomor telepon tidak dapat dibaca.") > page.index('name="ident_value_1"')


def test_hostile_summary_submission_creates_nothing(client, db):
    fill_steps(client)
    response = client.post("/lapor/ringkasan/", urlencode({"token": "\x00", "website": ""}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = client.post("/lapor/ringkasan/", {"token": "\x00", "website": ""})
    assert response.status_code == 303 and response["Location"] == "/lapor/ringkasan/"
    assert Report.objects.count() == 0
    submit(client)
    assert Report.objects.count() == 1


@pytest.mark.parametrize("query", ["kelurahan=%00", "kecamatan=%00", "layanan=%00", "q=a%00b", "%00=1",
                                   "kelurahan=%ED%A0%80", "kelurahan=36.73.01.1001%00"])
def test_services_directory_with_hostile_query_is_not_a_500(client, db, query):
    response = client.get(f"/layanan/?{query}")
    assert response.status_code in {200, 400}
    if "%00" in query:
        assert response.status_code == 400
        assert "tidak diizinkan" in _page(response)


@pytest.mark.parametrize("url", ["/", "/lapor/", "/lapor/kejadian/", "/lapor/ringkasan/", "/lapor/cek/",
                                 "/staf/masuk/"])
def test_nul_in_any_query_string_is_a_400(client, db, url):
    assert client.get(url + "?next=%00").status_code == 400


# --- follow-up by codename ---------------------------------------------------------------------------


@pytest.mark.parametrize(("reference", "codename"), [
    ("\x00", "kata " * 7), ("LP-AAAA-BBBB", "\x00"), ("LP-AAAA\x00", "a b c d e f g"),
    (ZERO_WIDTH, ZERO_WIDTH), ("x" * 5000, "y" * 5000),
])
def test_followup_login_with_hostile_values_is_a_4xx(client, db, reference, codename):
    response = client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    assert 400 <= response.status_code < 500


@pytest.fixture
def logged_in(client, db):
    fill_steps(client)
    reference, codename = submit(client)
    response = client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    assert response.status_code == 303
    return Report.objects.get(reference=reference)


@pytest.mark.parametrize("body", ["\x00", "pesan\x00", *BLANK_VALUES])
def test_followup_message_hostile_or_blank_is_refused(client, logged_in, body):
    response = client.post("/lapor/cek/pesan/", {"body": body})
    assert response.status_code == 400
    assert ReportMessage.objects.count() == 0


def test_followup_message_of_zero_width_characters_is_refused_by_the_service(db):
    from salingsapa.intake.schema import ReportInvalid
    from salingsapa.intake.services import report_create, report_message_add

    report = report_create(data=valid_payload(), channel="api").report
    with pytest.raises(ReportInvalid) as caught:
        report_message_add(report=report, sender="reporter", body=ZERO_WIDTH)
    assert caught.value.codes == {"body": ["required"]}
    with pytest.raises(ReportInvalid) as caught:
        report_message_add(report=report, sender="reporter", body="a\ud800")
    assert caught.value.codes == {"body": ["invalid_characters"]}


# --- evidence steps and the language switch ----------------------------------------------------------


@pytest.mark.parametrize("value", ["\x00", "../../etc/passwd", "x" * 5000, ZERO_WIDTH])
def test_evidence_step_remove_with_hostile_name_is_not_a_500(client, db, value):
    fill_steps(client)
    response = client.post("/lapor/bukti/", {"hapus": value})
    assert response.status_code in {303, 400}
    response = client.post("/lapor/bukti/", urlencode({"hapus": value}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in {303, 400}
    assert client.get("/lapor/ringkasan/").status_code == 200  # the draft survived


def test_followup_files_with_hostile_fields_is_not_a_500(client, logged_in):
    response = client.post("/lapor/cek/berkas/", {"files": "\x00", "x\x00": "y"})
    assert 300 <= response.status_code < 500


def test_language_switch_with_nul_is_a_400(client, db):
    response = client.post("/i18n/setlang/", urlencode({"language": "en\x00", "next": "/\x00"}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@pytest.mark.parametrize(("body", "path"), [
    ({"contatc": {"phone": "0812-3456-7890"}}, "contatc"),
    ({"contact": {"phone": "0812-3456-7890", "prefered_channel": "sms"}}, "contact.prefered_channel"),
    ({"victim": {"sex": "female", "age_group": "25-44", "age": 30}}, "victim.age"),
])
def test_unknown_fields_are_refused_not_dropped(client, db, body, path):
    assert api_error(post_json(client, valid_payload(**body)), path) == ["unknown_field"]
    assert Report.objects.count() == 0


def test_length_limits_count_the_value_as_sent(client, db):
    """The document's maxLength is about the value on the wire: spaces around it count too."""
    response = post_json(client, valid_payload(narrative="cerita" + " " * 10_000))
    assert api_error(response, "narrative") == ["too_long"]
    response = post_json(client, valid_payload(narrative="x" * 10_000))
    assert response.status_code == 201
