"""Rollups (issue 14 item 1): the statistics read from ``StatsFact`` are identical to the live engine's.

A scaled seed (varied forms, victims, kelurahan, statuses over 2020-2025) plus hand-made edge cases
(no kelurahan, blank categories, a form in two incidents, a victim in two cases, a second office, reports
outside the office's area) is counted both ways for many filters: whole months, partial months, single
days, several years, an office, a kecamatan, a kelurahan, the public snapshot with its small-cell
suppression, and the differencing check against a published snapshot.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from salingsapa.accounts.models import Organisation, User
from salingsapa.cases import services as case_services
from salingsapa.cases.models import Case, CasePerson, Deadline, Person
from salingsapa.core.events import Event, publish
from salingsapa.core.jobs import periodic_enqueue_due
from salingsapa.core.models import Region
from salingsapa.intake import services as intake_services
from salingsapa.network import services as network_services
from salingsapa.network.models import Referral, ServiceDelivery
from salingsapa.stats import disclosure, engine, reports, rollup, service_stats
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.jobs import rollup_flush_job
from salingsapa.stats.models import RollupDirty, RollupState, StatsFact
from salingsapa.stats.publication import snapshot_data
from tests.stats_fixtures import KASEMEN_1, SERANG_1, SERANG_2, make_case, make_report, wib

pytestmark = pytest.mark.django_db

HOME = settings.HOME_REGION_CODE


def _seed(cases: int = 300) -> None:
    out = StringIO()
    call_command("seed_demo", "--cases", str(cases), "--seed", "11", stdout=out, verbosity=0)
    assert "rollups rebuilt" in out.getvalue()


def _edge_cases() -> Organisation:
    """Rows the seed does not make, then a rebuild (they are written behind the services' back)."""
    lead = Case.objects.order_by("pk").first().organisation
    other = Organisation.objects.create(name="Kantor lain", kind=lead.kind, region_id=lead.region_id)
    make_case(lead, wib(2025, 3, 31, 23, 30), kelurahan=None, forms=("fisik", "seksual"), place="", relationship="",
              met_via="", platform="", extra_incident_forms=("fisik", "psikis"), status="closed",
              closed_at=wib(2025, 5, 2), victims=(("female", "13-17"), ("male", ""), ("", "0-5")))
    make_case(lead, wib(2025, 4, 1, 0, 15), kelurahan=SERANG_2, forms=(), tpks=("perkosaan",), factors=("ekonomi",),
              status="closed", closed_at=wib(2025, 4, 20), channel="phone")
    make_case(other, wib(2025, 6, 15), kelurahan=KASEMEN_1, status="closed", closed_at=wib(2025, 12, 1))
    make_case(other, wib(2024, 6, 15), kelurahan=SERANG_1, status="in_service")
    # one victim in two cases: a change of the person's sex moves both cases' counts
    shared = Person.objects.create(full_name="Korban Bersama", sex="female", created_at=wib(2024, 11, 3))
    for when in (wib(2025, 2, 3), wib(2024, 11, 3)):
        case = make_case(lead, when, kelurahan=SERANG_1)
        CasePerson.objects.create(case=case, person=shared, role="victim", age_group="18-24")
    Region.objects.get_or_create(code="36.04", defaults={"name": "Kab. Lain", "level": 2})
    Region.objects.get_or_create(code="36.04.01", defaults={"name": "Lain", "level": 3, "parent_id": "36.04"})
    Region.objects.get_or_create(code="36.04.01.2001", defaults={"name": "Desa Lain", "level": 4,
                                                                 "parent_id": "36.04.01"})
    make_case(other, wib(2025, 3, 3), kelurahan="36.04.01.2001")
    for code in (None, SERANG_1, "36.04.01.2001"):  # no kelurahan, home, outside the home region
        make_report(wib(2025, 5, 10), kelurahan=code, channel="phone", status="not_violence")
    _service_edge_cases(lead, other)
    rollup.rebuild()
    return other


def _service_edge_cases(lead: Organisation, other: Organisation) -> None:
    """Deadlines, referrals and deliveries the seed does not make: clocks of reports without a case (no kelurahan,
    home, outside the home region), met on time, late, open overdue and open pending, at a month boundary in
    WIB; a referral revoked after acceptance (accepted), declined, answered late; deliveries on both sides of a
    month boundary; the other office's."""
    user = User.objects.order_by("pk").first()
    now = timezone.now()
    for code, met in ((None, dt.timedelta(hours=3)), (SERANG_1, dt.timedelta(days=3)), ("36.04.01.2001", None),
                      (SERANG_2, None)):
        report = make_report(wib(2025, 3, 31, 23, 30), kelurahan=code)
        due = report.received_at + dt.timedelta(days=1)
        Deadline.objects.create(kind="first_contact", report=report, risk_level="high", starts_at=report.received_at,
                                due_at=due if code != SERANG_2 else now + dt.timedelta(days=2), created_at=due,
                                met_at=report.received_at + met if met else None)
    cases = {org: make_case(org, wib(2025, 4, 1, 0, 5), kelurahan=KASEMEN_1) for org in (lead, other)}
    for case in cases.values():
        Deadline.objects.create(kind="tpks_police", case=case, risk_level="low", starts_at=case.reported_at,
                                due_at=case.reported_at + dt.timedelta(days=3), created_at=case.reported_at,
                                met_at=case.reported_at + dt.timedelta(days=5, seconds=7))
        Deadline.objects.create(kind="first_contact", case=case, risk_level="", starts_at=case.reported_at,
                                due_at=case.reported_at + dt.timedelta(hours=1), created_at=case.reported_at,
                                met_at=case.reported_at + dt.timedelta(minutes=59, microseconds=5))
        for status, answered, created in (("revoked", 1, wib(2025, 3, 31, 23, 50)), ("declined", 30, wib(2025, 4, 2)),
                                          ("accepted", 50, wib(2025, 4, 1, 0, 10)), ("sent", None, wib(2025, 4, 3))):
            referral = Referral.objects.create(
                case=case, organisation=other, service="psikologis", status=status, created_by=user,
                created_at=created, respond_by=created + dt.timedelta(hours=48),
                responded_at=created + dt.timedelta(hours=answered) if answered else None)
            if status == "accepted":
                for day in (dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 4, 1)):
                    ServiceDelivery.objects.create(referral=referral, delivered_on=day, kind="sesi-konseling",
                                                   summary="(uji)", recorded_by=user, recorded_at=now)
                ServiceDelivery.objects.create(referral=referral, delivered_on=dt.date(2025, 4, 1), kind="visum",
                                               summary="(uji)", recorded_by=user, recorded_at=now)


FILTERS = [
    StatsFilter(start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31)),  # whole months
    StatsFilter(start=dt.date(2025, 3, 15), end=dt.date(2025, 7, 10)),  # partial months at both ends
    StatsFilter(start=dt.date(2025, 3, 31), end=dt.date(2025, 4, 1)),  # two days across a month boundary
    StatsFilter(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)),  # one whole month
    StatsFilter(start=dt.date(2020, 1, 1), end=dt.date(2025, 12, 31)),  # every year
    StatsFilter(start=dt.date(2024, 2, 29), end=dt.date(2024, 12, 31)),  # leap day start, previous year shifts
    StatsFilter(start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31)),  # nothing at all
]


def _scoped(lead_id: int, other_id: int) -> list[StatsFilter]:
    out = []
    for flt in FILTERS[:3]:
        out += [replace(flt, organisation_id=lead_id, report_region=HOME), replace(flt, organisation_id=other_id),
                replace(flt, area="36.73.01"), replace(flt, area=SERANG_1), replace(flt, report_region="36.04")]
    return out


def _both(fn, *args, **kwargs):
    with rollup.session():
        assert rollup.ready(), "the rollups should be in use"
        facts = fn(*args, **kwargs)
    with rollup.live():
        live = fn(*args, **kwargs)
    return facts, live


@pytest.fixture
def seeded():
    _seed()
    other = _edge_cases()
    lead_id = Case.objects.order_by("pk").first().organisation_id
    return lead_id, other.pk


def test_summary_identical_for_every_filter(seeded):
    lead_id, other_id = seeded
    assert StatsFact.objects.exists()
    for flt in FILTERS + _scoped(lead_id, other_id):
        facts, live = _both(engine.summary, flt)
        assert facts.cases == live.cases and facts.victims == live.victims, flt
        for key in live.breakdowns:
            assert facts.breakdowns[key] == live.breakdowns[key], (flt, key)
        assert facts == live, flt
    nonzero = engine.summary(FILTERS[0])
    assert nonzero.cases > 30 and nonzero.closure.closed > 0 and nonzero.age_sex
    services = nonzero.services
    assert services.referral_total and services.delivery_total and services.deadlines
    assert sum(d.on_time for d in services.deadlines) and sum(d.late for d in services.deadlines)
    assert sum(d.overdue_open for d in services.deadlines) and sum(d.pending for d in services.deadlines)


def test_service_figures_identical_for_every_filter_at_any_moment(seeded):
    """The service figures alone (also where a form filter makes the case figures read live): met clocks, referrals
    and deliveries from the rollups, open clocks live — overdue or still running as of ``now``."""
    lead_id, other_id = seeded
    moments = (None, timezone.now() + dt.timedelta(days=3))  # the pending clock is overdue three days on
    for flt in [*FILTERS, *_scoped(lead_id, other_id), replace(FILTERS[0], form="seksual")]:
        for now in moments:
            facts, live = _both(service_stats.service_stats, flt, now=now)
            assert facts == live, (flt, now)
    boundary = service_stats.service_stats(FILTERS[2])  # 31 Mar - 1 Apr 2025: the edge cases above
    assert {d.key for d in boundary.deadlines} >= {"first_contact:high", "first_contact:-", "tpks_police"}
    assert dict(boundary.deliveries) and boundary.referral_total >= 4


def test_crosstabs_and_single_breakdowns_identical(seeded):
    for flt in FILTERS[:3]:
        for rows, cols in (("kecamatan", "violence_form"), ("age_group", "sex")):
            facts, live = _both(engine.crosstab, flt, rows, cols)
            assert facts == live and (facts or flt == FILTERS[2])
        for key in engine.INCIDENT_DIMENSIONS:
            facts, live = _both(engine.by_incident, flt, key, compare=True)
            assert facts == live, key
        assert _both(engine.by_area, flt, "kelurahan")[0] == _both(engine.by_area, flt, "kelurahan")[1]
        assert _both(engine.closure, flt)[0] == _both(engine.closure, flt)[1]


def test_form_and_age_filters_read_live(seeded):
    flt = replace(FILTERS[0], form="seksual", age_group="13-17")
    with rollup.session():
        assert rollup.ready()
        assert not engine._rolled(flt)
        filtered = engine.summary(flt)
    assert 0 < filtered.cases < engine.summary(FILTERS[0]).cases


def test_public_snapshot_suppression_and_differencing_identical(seeded):
    lead_id, _other = seeded
    for flt in (replace(FILTERS[0], organisation_id=lead_id, report_region=HOME),
                replace(FILTERS[1], organisation_id=lead_id, report_region=HOME)):
        facts, live = _both(snapshot_data, flt)
        facts.pop("generated_at"), live.pop("generated_at")  # the clock may tick between the two
        assert facts == live
        text = str(facts)
        assert "'x'" in text or "x" in text  # small cells are suppressed the same way
    # differencing: a published Jan–Mar next to a Jan–Apr snapshot: leaks and the cells hidden agree
    scope = {"organisation_id": lead_id, "report_region": HOME}
    published = [(1, snapshot_data(replace(StatsFilter.for_year(2025, through_month=3), **scope)))]
    data = snapshot_data(replace(StatsFilter.for_year(2025, through_month=4), **scope))

    def outcome(fn):
        try:
            return fn()
        except disclosure.Unverifiable as exc:
            return ("unverifiable", str(exc))

    facts, live = _both(outcome, lambda: disclosure.protect(copy.deepcopy(data), published, **scope))
    assert facts == live
    leaks_f, leaks_l = _both(outcome, lambda: disclosure.check(copy.deepcopy(data), published, **scope))
    assert leaks_f == leaks_l
    print("differencing outcome:", facts[1] if isinstance(facts, tuple) else facts)


def test_pdf_report_context_identical(seeded):
    _lead, _other = seeded
    flt = StatsFilter.for_month(2025, 4)
    facts, live = _both(reports.report_context, "monthly", flt)
    for key in ("s", "case_change", "victim_change", "report_change"):
        assert facts[key] == live[key], key


# --- kept current ----------------------------------------------------------------------------------


def _assert_current(flt: StatsFilter) -> None:
    with rollup.session():
        assert rollup.ready()
        facts = engine.summary(flt)
    with rollup.live():
        assert facts == engine.summary(flt)


def _web_report():
    """One report through the intake service, as the public form sends it."""
    return intake_services.report_create(
        data={"reporter_role": "victim", "in_danger_now": False,
              "narrative": "Saya dipukul oleh suami di rumah kemarin malam.", "violence_forms": ["fisik"],
              "victim": {"sex": "female", "age_group": "25-44"}, "kelurahan_code": SERANG_1},
        channel="web").report


def test_writes_through_the_services_keep_the_rollups_current(intake_officer, case_manager, supervisor):
    rollup.rebuild()
    # a report through the intake service, then a case opened from it, then the closure
    report = _web_report()
    assert RollupDirty.objects.filter(report_id=report.pk).exists()
    today = report.received_at.astimezone(engine.JAKARTA).date()
    month = StatsFilter.for_month(today.year, today.month)
    _assert_current(month)
    assert engine.report_total(month) == 1 and engine.case_total(month) == 0
    assert not RollupDirty.objects.exists()

    case = case_services.case_open(actor=intake_officer, report=report, case_manager=case_manager)
    assert engine.case_total(month) == 1
    _assert_current(month)
    case.refresh_from_db()
    case_services.case_transition(actor=case_manager, case=case, to_status="assessment",
                                  expected_version=case.version)
    case_services.risk_assessment_record(actor=case_manager, case=case, answers={"threats_to_kill": True},
                                         expected_version=case.version)
    assert RollupDirty.objects.filter(case_id=case.pk).exists()
    _assert_current(month)
    assert engine.closure(month).open == 1
    assert StatsFact.objects.filter(dimension="report_status", category="case_opened").exists()


def test_deadline_referral_and_delivery_services_keep_the_service_facts_current(
        intake_officer, case_manager, supervisor, psychology_org, partner_psychologist):
    rollup.rebuild()
    report = _web_report()  # its first-contact clock starts (the report's own announcement covers it)
    when = report.received_at.astimezone(engine.JAKARTA)
    month = StatsFilter.for_month(when.year, when.month)
    _assert_current(month)
    assert [(d.total, d.pending) for d in service_stats.service_stats(month).deadlines] == [(1, 1)]
    case_services.first_contact_record(actor=intake_officer, report=report)  # a report's clock, no case yet
    assert RollupDirty.objects.filter(report_id=report.pk).exists()
    _assert_current(month)
    assert [(d.on_time, d.pending) for d in service_stats.service_stats(month).deadlines] == [(1, 0)]
    assert StatsFact.objects.filter(dimension="sla", organisation_id__isnull=True).exists()

    case = case_services.case_open(actor=intake_officer, report=report, case_manager=case_manager)
    victim = case.participants.get(role="victim")
    network_services.consent_record(actor=case_manager, case=case, victim=victim.person, given_by="victim",
                                    services=["psikologis"], recipient_organisation=psychology_org)
    referral = network_services.referral_create(actor=case_manager, case=case, organisation=psychology_org,
                                                service="psikologis")
    assert RollupDirty.objects.filter(case_id=case.pk).exists()
    _assert_current(month)
    network_services.referral_accept(actor=partner_psychologist, referral=referral)
    network_services.service_delivery_record(actor=partner_psychologist, referral=referral,
                                             delivered_on=when.date(), kind="sesi-konseling", summary="Sesi pertama")
    assert RollupDirty.objects.filter(case_id=case.pk).exists()
    _assert_current(month)
    figures = service_stats.service_stats(month)
    assert [(r.total, r.accepted, r.active, r.responded_on_time) for r in figures.referrals] == [(1, 1, 1, 1)]
    assert figures.delivery_total == 1
    network_services.referral_complete(actor=partner_psychologist, referral=referral, outcome="Selesai")
    _assert_current(month)
    assert [(r.completed, r.active) for r in service_stats.service_stats(month).referrals] == [(1, 0)]
    assert StatsFact.objects.filter(dimension="referral", category="psikologis|completed|t").exists()
    assert StatsFact.objects.filter(dimension="delivery*", category="sesi-konseling", n=1).exists()


def test_announcement_without_ids_or_rows_behind_the_back_turn_the_rollups_off(intake_officer):
    make_case(Organisation.objects.create(name="Kantor"), wib(2025, 1, 5))
    assert not rollup.flush()  # never built: live
    rollup.rebuild()
    assert rollup.flush()
    make_case(Organisation.objects.first(), wib(2025, 1, 6))  # a row the rollups never heard of
    assert not rollup.flush()
    rollup.rebuild()
    assert rollup.flush()
    # a row behind the back, then one through a service with a newer id: the gap is noticed
    behind = make_case(Organisation.objects.first(), wib(2025, 2, 6))
    publish(Event.COUNTED_DATA_CHANGED, case_ids=[make_case(Organisation.objects.first(), wib(2025, 3, 6)).pk])
    assert behind.pk < Case.objects.order_by("-pk").first().pk
    assert not rollup.flush() and RollupState.objects.get().stale
    rollup.rebuild()
    assert rollup.flush()
    publish(Event.COUNTED_DATA_CHANGED)  # a writer that does not say what it wrote
    assert RollupState.objects.get().stale and not rollup.flush()
    assert engine.case_total(StatsFilter.for_year(2025)) == 4  # live, still right
    rollup.rebuild()
    assert rollup.flush()


def test_rebuild_command_is_idempotent():
    _seed(60)
    def rows():
        return sorted(StatsFact.objects.values_list("month", "organisation_id", "kelurahan_id", "dimension",
                                                    "category", "n", "total"), key=repr)
    first = rows()
    out = StringIO()
    call_command("stats", "rebuild", stdout=out, verbosity=0)
    assert "dibangun ulang" in out.getvalue()
    call_command("stats", "rebuild", stdout=out, verbosity=0)
    assert rows() == first and first
    assert StatsFact.objects.filter(dimension="cases").values_list("n", flat=True)
    assert sum(StatsFact.objects.filter(dimension="cases").values_list("n", flat=True)) == Case.objects.count()


def test_restore_path_rebuilds_through_the_bulk_loaded_event():
    _seed(30)
    StatsFact.objects.all().delete()
    publish(Event.BULK_LOADED)  # the restored state says the rollups were in use: rebuilt
    assert sum(StatsFact.objects.filter(dimension="cases").values_list("n", flat=True)) == Case.objects.count()
    RollupState.objects.all().delete()
    StatsFact.objects.all().delete()
    publish(Event.BULK_LOADED)  # never in use (a backup of an installation without them): nothing built
    assert not StatsFact.objects.exists() and not rollup.flush()


# --- the set-based rebuild, coarse rows, round trips, the periodic flush (issue 14, scale) ----------


def _fact_rows() -> list[tuple]:
    return sorted(StatsFact.objects.values_list("month", "organisation_id", "kelurahan_id", "dimension", "category",
                                                "n", "total"), key=repr)


def test_set_based_rebuild_is_row_for_row_the_per_dimension_write(seeded):
    rebuilt = _fact_rows()
    assert {d for _m, _o, _k, d, *_rest in rebuilt} >= {"violence_form", "age_sex", "closure", "cases*", "closure*",
                                                       "sla", "referral", "delivery", "sla*", "referral*",
                                                       "delivery*"}
    assert StatsFact.objects.filter(dimension="sla", total__gt=0, organisation_id__isnull=True).exists()
    with transaction.atomic():  # the refresh path: one grouped query per dimension, then the coarse rows
        StatsFact.objects.all().delete()
        rollup._write(None, None)
        rollup._write_coarse()
        assert _fact_rows() == rebuilt
        transaction.set_rollback(True)
    months = sorted(set(StatsFact.objects.values_list("month", flat=True)))
    with transaction.atomic():  # and month by month
        rollup.refresh_months(months)
    assert _fact_rows() == rebuilt
    # the coarse rows are the fine ones summed over kelurahan
    fine = sum(StatsFact.objects.filter(dimension="violence_form").values_list("n", flat=True))
    assert fine and fine == sum(StatsFact.objects.filter(dimension="violence_form*").values_list("n", flat=True))
    # (a report's deadline without a case has no office: its coarse row keeps the kelurahan for the region scope)
    assert not StatsFact.objects.filter(dimension__endswith="*", kelurahan_id__isnull=False,
                                        organisation_id__isnull=False).exists()
    for name in ("sla", "referral", "delivery"):
        fine = StatsFact.objects.filter(dimension=name).values_list("n", "total")
        coarse = StatsFact.objects.filter(dimension=name + "*").values_list("n", "total")
        assert [sum(c) for c in zip(*fine, strict=True)] == [sum(c) for c in zip(*coarse, strict=True)], name
    assert not StatsFact.objects.filter(dimension__startswith="report", dimension__endswith="*").exists()


def test_a_summary_and_a_snapshot_cost_a_handful_of_queries(seeded, django_assert_max_num_queries):
    lead_id, _other = seeded
    flt = replace(FILTERS[0], organisation_id=lead_id, report_region=HOME)
    # state, 3 sides (cases, reports, service figures), kelurahan, codes, regions, the open deadlines (live)
    with django_assert_max_num_queries(8):
        summary = engine.summary(flt)
    with django_assert_max_num_queries(9):
        data = snapshot_data(flt)
    assert summary.cases > 30 and data["tables"]
    with rollup.live():
        assert engine.summary(flt) == summary
    partial = replace(FILTERS[1], organisation_id=lead_id, report_region=HOME)  # partly covered months at both ends
    # + one UNION of every dimension per side and day range (cases and reports: 2 ranges, this year and last: 8;
    # the service figures, this year only: 2), the closure per range: 2
    with django_assert_max_num_queries(20):
        summary = engine.summary(partial)
    with rollup.live():
        assert engine.summary(partial) == summary


def test_reads_without_an_area_use_the_coarse_rows(seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        engine.summary(FILTERS[0])
    with CaptureQueriesContext(connection) as area:
        engine.summary(replace(FILTERS[0], area="36.73.01"))
    coarse = "'cases*'"
    assert any(coarse in q["sql"] for q in plain.captured_queries)
    assert not any(coarse in q["sql"] for q in area.captured_queries)


def test_periodic_job_folds_queued_writes_before_anyone_reads(intake_officer):
    assert settings.PERIODIC_JOBS["stats-rollup-flush"] == ("salingsapa.stats.jobs.rollup_flush_job", 60)
    assert "stats-rollup-flush" in periodic_enqueue_due()
    rollup.rebuild()
    report = _web_report()
    assert RollupDirty.objects.filter(report_id=report.pk).exists()
    result = rollup_flush_job.call()
    assert result["queued"] >= 1 and result["current"] is True
    assert not RollupDirty.objects.exists()
    month = report.received_at.astimezone(engine.JAKARTA)
    assert StatsFact.objects.filter(dimension="reports", month=month.year * 100 + month.month).exists()
    assert rollup_flush_job.call()["queued"] == 0  # nothing left: the next read finds the facts current
    publish(Event.COUNTED_DATA_CHANGED)  # stale: the job leaves them to a rebuild, reads go live
    assert rollup_flush_job.call()["current"] is False


def test_a_write_committed_while_a_flush_runs_stays_queued(intake_officer, monkeypatch):
    """A writer's queue row with a lower id that commits while a flush is refreshing (its id was drawn
    before the flush read the queue) is not deleted unread: the next flush folds it in."""
    rollup.rebuild()
    first, late = _web_report(), _web_report()
    late_row = RollupDirty.objects.get(report_id=late.pk)
    late_pk = late_row.pk
    late_row.delete()  # not yet committed when the flush reads the queue
    RollupDirty.objects.create(pk=late_pk + 1000, report_id=first.pk)  # a higher id the flush does read
    refresh = rollup.refresh_months

    def refresh_while_the_writer_commits(months):
        refresh(months)
        RollupDirty.objects.create(pk=late_pk, report_id=late.pk)  # the writer commits now, lower id

    monkeypatch.setattr(rollup, "refresh_months", refresh_while_the_writer_commits)
    rollup.flush()
    assert list(RollupDirty.objects.values_list("report_id", flat=True)) == [late.pk]
    monkeypatch.setattr(rollup, "refresh_months", refresh)
    month = StatsFilter.for_month(late.received_at.astimezone(engine.JAKARTA).year,
                                  late.received_at.astimezone(engine.JAKARTA).month)
    assert engine.report_total(month) == 2  # the next read folds the late write in
    _assert_current(month)
    assert not RollupDirty.objects.exists()


def test_migration_gives_rollups_built_before_their_coarse_rows():
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.db import connection

    _seed(30)
    service = {"sla", "referral", "delivery"}  # the service facts came later (0006)

    def case_side() -> list[tuple]:
        return [row for row in _fact_rows() if row[3].removesuffix("*") not in service]

    built = case_side()
    StatsFact.objects.filter(dimension__endswith="*").delete()  # as an older version left them
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)  # what the step uses
    import_module("salingsapa.stats.migrations.0005_coarse_facts").add_coarse(django_apps, editor)
    assert case_side() == built
    # rollups built before 0006 have no service facts: turned off (read live) until `stats rebuild`
    assert rollup.flush()
    import_module("salingsapa.stats.migrations.0006_service_facts").turn_off(django_apps, editor)
    assert RollupState.objects.get().stale and not rollup.flush()
