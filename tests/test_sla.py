"""SLA clocks: first contact by risk (working days over holidays), the UU TPKS Pasal 41 clock, escalation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from salingsapa.cases import services, sla
from salingsapa.cases.models import Alert, Deadline
from salingsapa.core.models import AuditEvent
from tests.casework_helpers import make_report, verified_client

WIB = ZoneInfo("Asia/Jakarta")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def test_high_and_medium_clocks():
    start = at(2026, 3, 2, 10, 0)
    assert sla.first_contact_due(start=start, risk_level="high") == at(2026, 3, 2, 11, 0)
    assert sla.first_contact_due(start=start, risk_level="medium") == at(2026, 3, 2, 16, 0)
    assert sla.first_contact_due(start=start, risk_level="low", emergency=True) == at(2026, 3, 2, 11, 0)


def test_low_clock_skips_weekend_and_independence_day():
    # Friday 14 Aug 2026 → Sat, Sun, Mon 17 Aug (Proklamasi) are not working days → Tue, Wed, Thu.
    due = sla.first_contact_due(start=at(2026, 8, 14, 9, 30), risk_level="low")
    assert due == at(2026, 8, 20, 9, 30)


def test_low_clock_skips_cuti_bersama_unless_configured(settings):
    # Wednesday 23 Dec 2026; 24 Dec is cuti bersama, 25 Dec Christmas, then the weekend.
    start = at(2026, 12, 23, 14, 0)
    assert sla.first_contact_due(start=start, risk_level="low") == at(2026, 12, 30, 14, 0)
    settings.SLA_COUNT_CUTI_BERSAMA = False
    assert sla.first_contact_due(start=start, risk_level="low") == at(2026, 12, 29, 14, 0)


def test_year_without_holiday_data_counts_weekends_only():
    # Friday 4 Jan 2030: lokal-id has no 2030 decree yet.
    assert sla.add_working_days(dt.date(2030, 1, 4), 3) == dt.date(2030, 1, 9)


def test_clocks_are_configurable(settings):
    settings.SLA_FIRST_CONTACT_HIGH_MINUTES = 30
    settings.SLA_FIRST_CONTACT_LOW_WORKING_DAYS = 1
    start = at(2026, 3, 2, 10, 0)  # Monday
    assert sla.first_contact_due(start=start, risk_level="high") == at(2026, 3, 2, 10, 30)
    assert sla.first_contact_due(start=start, risk_level="low") == at(2026, 3, 3, 10, 0)


def test_untriaged_reports_use_the_configured_clock(settings, db):
    settings.SLA_UNTRIAGED_RISK = "high"
    report = make_report(received_at=at(2026, 3, 2, 10, 0))
    assert Deadline.objects.get(report=report).due_at == at(2026, 3, 2, 11, 0)


def test_every_new_report_gets_a_first_contact_clock(db):
    emergency = make_report(received_at=at(2026, 3, 2, 10, 0), is_emergency=True)
    low = make_report(received_at=at(2026, 8, 14, 9, 30), risk_level="low")
    assert Deadline.objects.get(report=emergency).due_at == at(2026, 3, 2, 11, 0)
    assert Deadline.objects.get(report=low).due_at == at(2026, 8, 20, 9, 30)


def test_clock_label():
    due = at(2026, 3, 2, 11, 0)
    assert sla.clock_label(due, now=at(2026, 3, 2, 10, 15)) == "sisa 45 menit"
    assert sla.clock_label(due, now=at(2026, 3, 2, 13, 30)) == "terlambat 2 jam 30 menit"
    assert sla.clock_label(due, met_at=at(2026, 3, 2, 10, 59)) == "terpenuhi"


# --- UU TPKS Pasal 41 --------------------------------------------------------------------------


@pytest.fixture
def sexual_case(intake_officer):
    report = make_report(received_at=at(2026, 3, 2, 10, 0), violence_forms=["seksual"], tpks_forms=["perkosaan"])
    return services.case_open(actor=intake_officer, report=report)


def test_tpks_clock_starts_only_with_consent(sexual_case, case_manager):
    assert not Deadline.objects.filter(case=sexual_case, kind="tpks_police").exists()
    services.case_police_consent_record(actor=case_manager, case=sexual_case, consent=True,
                                        expected_version=sexual_case.version)
    deadline = Deadline.objects.get(case=sexual_case, kind="tpks_police")
    assert deadline.due_at == at(2026, 3, 5, 10, 0)  # 3 x 24 hours after the victim's report
    services.case_note_add(actor=case_manager, case=sexual_case, kind="police_report",
                           body="Laporan diserahkan ke Unit PPA Polresta Serang Kota.")
    deadline.refresh_from_db()
    sexual_case.refresh_from_db()
    assert deadline.met_at is not None and sexual_case.police_reported_at is not None


def test_tpks_clock_removed_when_consent_refused(sexual_case, case_manager):
    services.case_police_consent_record(actor=case_manager, case=sexual_case, consent=True,
                                        expected_version=sexual_case.version)
    services.case_police_consent_record(actor=case_manager, case=sexual_case, consent=False,
                                        expected_version=sexual_case.version)
    assert not Deadline.objects.filter(case=sexual_case, kind="tpks_police").exists()


def test_tpks_clock_without_consent_rule(settings, intake_officer):
    settings.SLA_TPKS_REQUIRES_CONSENT = False
    report = make_report(received_at=at(2026, 3, 2, 10, 0), violence_forms=["seksual"])
    case = services.case_open(actor=intake_officer, report=report)
    assert Deadline.objects.get(case=case, kind="tpks_police").due_at == at(2026, 3, 5, 10, 0)


def test_no_tpks_clock_for_non_sexual_violence(intake_officer, case_manager):
    case = services.case_open(actor=intake_officer, report=make_report(violence_forms=["fisik"]))
    services.case_police_consent_record(actor=case_manager, case=case, consent=True, expected_version=case.version)
    assert not Deadline.objects.filter(case=case, kind="tpks_police").exists()


# --- escalation --------------------------------------------------------------------------------


def test_escalation_alerts_supervisors_once_and_is_audited(supervisor, case_manager, intake_officer):
    old = make_report(received_at=at(2026, 3, 2, 10, 0), risk_level="high")
    case = services.case_open(actor=intake_officer, report=old, case_manager=case_manager)
    fresh = make_report(received_at=at(2026, 3, 2, 10, 0), risk_level="low")
    services.first_contact_record(actor=intake_officer, report=fresh)  # met: never escalated
    now = at(2026, 3, 2, 12, 0)

    assert services.deadlines_escalate(now=now) == 1
    assert services.deadlines_escalate(now=now) == 0  # idempotent
    call_command("sla_escalate")  # and the command, run again (real "now"), adds nothing for this deadline
    deadline = Deadline.objects.get(report=old)
    assert deadline.escalated_at == now
    alerts = Alert.objects.filter(deadline=deadline)
    assert {a.recipient for a in alerts} == {supervisor, case_manager}
    assert alerts.count() == 2 and case.number in alerts.first().message
    entries = AuditEvent.objects.filter(action="escalate", object_type="deadline", object_id=str(deadline.pk))
    assert entries.count() == 1 and entries.get().actor_label == "system:sla"
    assert case.events.filter(kind="deadline", params__what="escalated").count() == 1
    assert not Deadline.objects.filter(report=fresh, escalated_at__isnull=False).exists()


def test_command_creates_missing_clocks_and_escalates(supervisor, db, capsys):
    report = make_report(received_at=at(2026, 3, 2, 10, 0))
    Deadline.objects.filter(report=report).delete()  # e.g. written before the cases app existed
    call_command("sla_escalate")
    out = capsys.readouterr().out
    assert "1 deadline(s) escalated, 1 missing clock(s) created" in out
    assert Alert.objects.filter(recipient=supervisor, report=report).exists()


def test_supervisor_sees_escalations(supervisor, db):
    make_report(received_at=at(2026, 3, 2, 10, 0))
    services.deadlines_escalate()
    client = verified_client(supervisor)
    assert "Tenggat terlewati" in client.get("/staf/peringatan/").content.decode()
    assert "terlambat" in client.get("/staf/supervisor/").content.decode()


def test_report_escalation_goes_only_to_supervisors_of_the_area(supervisor, other_uptd, db):
    from salingsapa.core.models import Region
    from tests.personas import make_user

    far = Region.objects.filter(code="36.04").first() or Region.objects.create(
        code="36.04", name="Kabupaten Serang", level=2, parent_id="36")
    other_uptd.region = far  # another agency, another kab/kota
    other_uptd.save()
    elsewhere = make_user("supervisor-lain", "supervisor", other_uptd)
    report = make_report(received_at=at(2026, 3, 2, 10, 0), kelurahan=Region.objects.get(code="36.73.01.1001"))
    services.deadlines_escalate(now=at(2026, 3, 3, 10, 0))
    recipients = set(Alert.objects.filter(report=report).values_list("recipient__username", flat=True))
    assert recipients == {supervisor.username}
    assert elsewhere.username not in recipients
