"""Fuzzing the JSON API: whatever arrives, the answer is never a server error, and always as documented.

Schemathesis reads the live OpenAPI document from the WSGI app (no network), generates valid and
invalid requests for every operation in it, and runs all of its checks (response conformance,
negative data rejected, positive data accepted); Hypothesis adds arbitrary JSON documents and raw bytes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from salingsapa.intake.schema import SEMANTIC_CODES as REPORT_SEMANTIC_CODES
from salingsapa.outreach.schema import SEMANTIC_CODES as BOOKING_SEMANTIC_CODES
from tests.test_api_reports import valid_payload

load_all_checks()

# Codes of rules the document states only in words: reports' and bookings' (outreach).
SEMANTIC_CODES = REPORT_SEMANTIC_CODES | BOOKING_SEMANTIC_CODES


def _positive_data_acceptance_or_documented_rule(ctx, response, case):
    """schemathesis' ``positive_data_acceptance``, knowing the rules the document states only in words.

    A request valid by the OpenAPI document must get what schemathesis accepts by default (2xx,
    3xx, 401, 403, 404, 409, 429) — or a 400 whose every code is one of ``SEMANTIC_CODES`` (real
    phone numbers, identifiers valid for their kind, is_child agreeing with age_group, a phone for
    phone channels, no future date), which the document lists in ``ErrorOut.codes``.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if 200 <= response.status_code < 400 or response.status_code in {401, 403, 404, 409, 429}:
        return None
    body = response.json() if response.status_code == 400 else {}
    codes = {code for field_codes in body.get("codes", {}).values() for code in field_codes}
    assert response.status_code == 400 and codes and codes <= SEMANTIC_CODES, (
        f"valid data refused: {response.status_code} {response.text[:500]}"
    )
    return None


ALL_CHECKS = [c for c in CHECKS.get_all() if c is not positive_data_acceptance]


@pytest.fixture
def _keep_test_connection():
    """The WSGI app closes "old" database connections at each request's start and end; in a test
    that is the test's own connection (Django's test client switches this off in the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return schema, [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_whole_api_passes_every_schemathesis_check(db, settings, mode, _keep_test_connection):
    """Every operation of the document, valid and invalid data, with all of schemathesis' checks:
    no server error, status codes / content types / headers / bodies as documented, invalid data
    refused, valid data accepted (see above), unsupported methods answered 405 with ``Allow``."""
    settings.REPORT_RATE_LIMIT = 1_000_000
    settings.BOOKING_RATE_LIMIT = 1_000_000
    schema, operations = _operations()
    assert {op.label for op in operations} >= {"POST /api/v1/reports"}
    seen: dict[str, set[int]] = {}

    for operation in operations:
        label = operation.label

        @hsettings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                   derandomize=True)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call()
            case.validate_response(response, checks=ALL_CHECKS,
                                   additional_checks=[_positive_data_acceptance_or_documented_rule])
            seen.setdefault(label, set()).add(response.status_code)  # noqa: B023  (run() is called in this iteration)

        run()
    statuses = seen["POST /api/v1/reports"]
    assert statuses <= {201, 400, 409}
    if mode == GenerationMode.NEGATIVE:
        assert 400 in statuses
    else:
        assert 201 in statuses  # valid data does get through, not only refusals


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
