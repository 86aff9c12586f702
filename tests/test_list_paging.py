"""Staff lists at national size (issue 14 item 2): keyset pages that stay stable while rows arrive,
bounded counts, and the indexes each list's filter and ordering need (EXPLAIN on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salingsapa.accounts.models import Role
from salingsapa.cases import selectors
from salingsapa.cases.models import Alert, Case, Person
from salingsapa.core import paging
from salingsapa.core.paging import bounded_count, keyset_page, rows_after
from salingsapa.intake.selectors import intake_queue
from salingsapa.network.models import Referral
from tests.casework_helpers import make_report, verified_client
from tests.personas import make_user
from tests.stats_fixtures import make_case, wib

pytestmark = pytest.mark.django_db
START = wib(2025, 1, 1)


def _cases(org, n: int, *, start=START) -> list[Case]:
    return [make_case(org, start + dt.timedelta(hours=i)) for i in range(n)]


def _walk(qs, per_page: int, between=None) -> list[int]:
    """Follow the "next" links from the first page to the last; ``between`` runs after each page."""
    seen: list[int] = []
    params = QueryDict()
    for _ in range(100):
        page = keyset_page(qs, params, per_page=per_page)
        seen += [row.pk for row in page]
        if between:
            between()
        if not page.has_next():
            return seen
        params = QueryDict(f"page={page.next_page_number()}&setelah={page.next_after}")
    raise AssertionError("no last page")


def test_next_pages_are_stable_while_new_cases_arrive(uptd, case_manager):
    original = _cases(uptd, 23)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    expected = list(qs.values_list("pk", flat=True))
    assert expected == [c.pk for c in reversed(original)]  # newest first
    later = iter(range(100))

    def a_new_case_arrives():  # newer than every case: offset pages would shift by one each time
        make_case(uptd, wib(2025, 6, 1) + dt.timedelta(hours=next(later)))

    assert _walk(qs, 5, between=a_new_case_arrives) == expected  # every case once, none twice


def test_previous_page_returns_the_same_rows(uptd, case_manager):
    _cases(uptd, 12)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    first = keyset_page(qs, QueryDict(), per_page=5)
    second = keyset_page(qs, QueryDict(f"page=2&setelah={first.next_after}"), per_page=5)
    third = keyset_page(qs, QueryDict(f"page=3&setelah={second.next_after}"), per_page=5)
    assert len(third) == 2 and not third.has_next() and third.has_previous()
    back = keyset_page(qs, QueryDict(f"page=2&sebelum={third.previous_before}"), per_page=5)
    assert [r.pk for r in back] == [r.pk for r in second] and back.number == 2
    home = keyset_page(qs, QueryDict(f"page=1&sebelum={back.previous_before}"), per_page=5)
    assert [r.pk for r in home] == [r.pk for r in first] and not home.has_previous()


def test_the_queue_pages_by_urgency_then_age(uptd, case_manager):
    reports = [make_report(received_at=START + dt.timedelta(minutes=i), risk_level=risk)
               for i, risk in enumerate(["low", "high", "", "medium", "high", "low", "", "medium"] * 2)]
    reports[5].is_emergency = True
    reports[5].save()
    qs = intake_queue(user=case_manager)
    expected = list(qs.values_list("pk", flat=True))
    assert expected[0] == reports[5].pk
    assert _walk(qs, 3) == expected


def test_a_cursor_from_another_office_is_ignored(uptd, other_uptd, case_manager):
    _cases(uptd, 7)
    foreign = make_case(other_uptd, wib(2025, 3, 1))
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    page = keyset_page(qs, QueryDict(f"page=2&setelah={foreign.pk}"), per_page=5)
    assert foreign.pk not in [r.pk for r in page]
    assert [r.pk for r in page] == list(qs.values_list("pk", flat=True))[5:]  # page 2 by offset instead


def test_the_case_list_page_links_carry_the_cursor_and_back_works(uptd, case_manager, settings):
    settings.STAFF_PAGE_SIZE = 5
    cases = _cases(uptd, 11)
    client = verified_client(case_manager)
    url = reverse("staff:cases")
    first = client.get(url, {"status": "open"}).content.decode()
    assert "Halaman 1 dari 3" in first and "11 baris." in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "setelah=" in nxt and "status=open" in nxt  # the filter is kept
    second = client.get(url + nxt).content.decode()
    assert "Halaman 2 dari 3" in second
    assert cases[5].number in second and cases[6].number not in second
    prev = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert "sebelum=" in prev
    again = client.get(url + prev).content.decode()
    assert cases[10].number in again and "Halaman 1 dari 3" in again
    old_style = client.get(url, {"page": "3"}).content.decode()  # ?page=N still works
    assert cases[0].number in old_style and "Halaman 3 dari 3" in old_style


def test_a_deep_page_jump_is_capped_instead_of_reading_a_long_offset(uptd, case_manager):
    _cases(uptd, 20)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    expected = list(qs.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as q:
        page = keyset_page(qs, QueryDict("page=100000"), per_page=2, max_offset=6)
    assert page.offset_capped and page.number == 4  # offset 6: the deepest page allowed
    assert [r.pk for r in page] == expected[6:8] and page.has_next() and page.next_after == expected[7]
    offsets = [int(n) for sql in q.captured_queries for n in re.findall(r"OFFSET (\d+)", sql["sql"])]
    assert offsets and max(offsets) <= 6
    shallow = keyset_page(qs, QueryDict("page=3"), per_page=2, max_offset=6)
    assert not shallow.offset_capped and [r.pk for r in shallow] == expected[4:6]
    # the way on from there is the keyset cursor, which reads no offset at any depth
    with CaptureQueriesContext(connection) as q:
        deeper = keyset_page(qs, QueryDict(f"page=5&setelah={page.next_after}"), per_page=2, max_offset=6)
    assert not deeper.offset_capped and [r.pk for r in deeper] == expected[8:10]
    assert not any("OFFSET" in sql["sql"] for sql in q.captured_queries)


def test_the_case_list_says_when_a_page_jump_is_too_deep(uptd, case_manager, settings, monkeypatch):
    monkeypatch.setattr(paging, "MAX_OFFSET", 4)
    settings.STAFF_PAGE_SIZE = 2
    cases = _cases(uptd, 11)
    client = verified_client(case_manager)
    response = client.get(reverse("staff:cases"), {"page": "999999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "tidak dapat dibuka langsung" in body and "Halaman 3 dari 6" in body
    assert cases[6].number in body and cases[10].number not in body  # newest first: rows 5-6 of 11
    assert "tidak dapat dibuka langsung" not in client.get(reverse("staff:cases"), {"page": "2"}).content.decode()


def test_a_whole_case_number_is_an_exact_lookup(uptd, case_manager):
    cases = _cases(uptd, 3)
    number = cases[1].number
    found = selectors.case_list(user=case_manager, filters=selectors.CaseFilters(number=number.lower()))
    assert list(found) == [cases[1]]
    assert "LIKE" not in str(found.query).upper()
    partial = selectors.case_list(user=case_manager, filters=selectors.CaseFilters(number=number[-4:]))
    assert cases[1] in list(partial)


def test_counts_above_the_cap_are_estimates_on_postgresql(uptd, case_manager):
    _cases(uptd, 12)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    count, approximate = bounded_count(qs, cap=5)
    if connection.vendor == "postgresql":
        assert approximate and count >= 6
        page = keyset_page(qs, QueryDict(), per_page=5, cap=5)
        assert page.paginator.approximate and page.has_next()
    else:
        assert (count, approximate) == (12, False)
    assert bounded_count(qs, cap=50) == (12, False)


# --- the indexes each list needs (PostgreSQL's planner; SQLite has no comparable EXPLAIN) ---------

needs_pg = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _plan(qs) -> str:
    """The plan PostgreSQL would use with the table large (sequential scans priced out: with a
    handful of test rows it would rightly read the whole table instead)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            return json.dumps(json.loads(qs.explain(format="json")))
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


def _nodes(plan: str) -> set[str]:
    return set(re.findall(r'"Node Type": "([^"]+)"', plan))


@needs_pg
def test_the_case_list_reads_its_index_in_order(uptd, case_manager):
    _cases(uptd, 3)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters())
    page = keyset_page(qs, QueryDict(), per_page=5)
    plan = _plan(qs[:26])
    assert "case_org_reported_idx" in plan and "Sort" not in _nodes(plan), plan
    for forward in (True, False):  # the next and the previous page: an index range, no sort either
        plan = _plan(rows_after(qs, page.object_list[1].pk, forward=forward)[:26])
        assert "case_org_reported_idx" in plan and "Sort" not in _nodes(plan), plan


@needs_pg
def test_my_cases_read_the_managers_index(uptd, case_manager):
    _cases(uptd, 3)
    qs = selectors.case_list(user=case_manager, filters=selectors.CaseFilters(manager="me", status="open"))
    plan = _plan(qs[:26])
    assert "case_manager_reported_idx" in plan and "Sort" not in _nodes(plan), plan


@needs_pg
def test_exact_lookups_use_their_unique_and_blind_indexes(uptd, case_manager):
    # enough rows for the planner's choice to mean something (with two it may read any index)
    Case.objects.bulk_create([
        Case(number=f"SRG-2024-{i:05d}", year=2024, sequence=i, organisation=uptd, status="new",
             reported_at=START - dt.timedelta(minutes=i), opened_at=START, channel="web") for i in range(1, 5001)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    by_number = selectors.case_list(user=case_manager, filters=selectors.CaseFilters(number="srg-2024-01234"))
    assert [c.number for c in by_number] == ["SRG-2024-01234"]
    plan = json.dumps(json.loads(by_number.all()[:26].explain(format="json")))  # no planner settings changed
    assert re.search(r'"Index Name": "cases_case_number[^"]*", [^}]*"Index Cond": "\(\(number\)::text', plan), plan
    report = make_report(contact_phone="081234567890")
    assert "intake_report_reference" in _plan(type(report).objects.filter(reference=report.reference))
    by_phone = Person.objects.filter(phone_index="x" * 64)
    assert "phone_index" in _plan(by_phone)
    by_nik = Person.objects.filter(nik_index="x" * 64)
    assert "nik_index" in _plan(by_nik)


@needs_pg
def test_the_queue_reads_only_open_reports_through_its_partial_index(uptd, case_manager):
    make_report()
    plan = _plan(intake_queue(user=case_manager)[:26])
    assert "report_open_idx" in plan, plan


@needs_pg
def test_alerts_and_referrals_read_their_indexes(uptd, case_manager):
    assert "alert_recipient_idx" in _plan(Alert.objects.filter(recipient_id=case_manager.pk)[:26])
    assert "referral_created_idx" in _plan(Referral.objects.order_by("-created_at", "-id")[:26])
    partner = make_user("mitra-uji", Role.PARTNER, uptd)
    assert "referral_org_created_idx" in _plan(
        Referral.objects.filter(organisation_id=partner.organisation_id).order_by("-created_at", "-id")[:26])
