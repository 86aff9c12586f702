"""Fuzzing the JSON API: whatever arrives, the answer is never a server error.

Schemathesis reads the live OpenAPI document from the WSGI app (no network) and generates valid
and invalid requests from it; Hypothesis adds arbitrary JSON documents and raw bytes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.test_api_reports import valid_payload


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_never_answers_with_a_server_error(transactional_db, settings, mode):
    # transactional: the WSGI handler closes the connection at the end of each request (the test
    # client would not), which would end a per-test transaction mid-test.
    settings.REPORT_RATE_LIMIT = 1_000_000
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operation = schema["/api/v1/reports"]["POST"]
    seen: set[int] = set()

    @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call()
        assert response.status_code < 500, response.text[:500]
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code == 400:
            body = response.json()
            assert body["detail"] and isinstance(body["errors"], dict)
        seen.add(response.status_code)

    run()
    assert seen <= {201, 400, 409}
    if mode == GenerationMode.NEGATIVE:
        assert 400 in seen


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=4),
    max_leaves=15,
)
fields = st.sampled_from(list(valid_payload().keys()) + ["victim", "contact", "consent", "perpetrator_identifiers",
                                                          "incident_date", "tpks_forms"])


@hsettings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations=st.dictionaries(fields, json_values, max_size=4))
def test_mutated_reports_get_201_or_a_clear_400(client, db, settings, mutations):
    settings.REPORT_RATE_LIMIT = 1_000_000
    payload = {**valid_payload(), **mutations}
    response = client.post("/api/v1/reports", data=json.dumps(payload), content_type="application/json")
    assert response.status_code in {201, 400}, response.content[:500]
    if response.status_code == 400:
        assert response.json()["errors"]


@hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=300))
def test_raw_bytes_never_crash(client, db, settings, body):
    settings.REPORT_RATE_LIMIT = 1_000_000
    response = client.post("/api/v1/reports", data=body, content_type="application/json")
    assert response.status_code in {400}
