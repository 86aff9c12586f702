"""Follow-up work is called explicitly (core/events.py), not hidden in model signals."""

from __future__ import annotations

import json

import pytest
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from salingsapa.cases import services as case_services
from salingsapa.cases.models import Deadline
from salingsapa.core import events
from salingsapa.intake.models import Report
from salingsapa.network import services as network_services
from tests.casework_helpers import make_report
from tests.test_api_reports import valid_payload


def _receiver_modules(signal) -> set[str]:
    modules = set()
    for entry in signal.receivers:
        ref = entry[1]
        receiver = ref() if callable(ref) and not hasattr(ref, "__module__") else ref
        receiver = receiver() if type(receiver).__name__ in {"ReferenceType", "WeakMethod"} else receiver
        modules.add(getattr(receiver, "__module__", "") or "")
    return modules


def test_no_model_signal_receivers_in_the_project():
    def probe(**kwargs):
        pass

    probe.__module__ = "salingsapa.probe"
    post_save.connect(probe, sender=Report)
    try:
        assert "salingsapa.probe" in _receiver_modules(post_save)  # the scan sees a project receiver
    finally:
        post_save.disconnect(probe, sender=Report)
    for signal in (pre_save, post_save, post_delete, m2m_changed):
        assert not {m for m in _receiver_modules(signal) if m.startswith("salingsapa")}, signal


def test_every_event_has_its_handler_wired():
    assert case_services.deadline_first_contact_start in events.handlers(events.Event.REPORT_RECEIVED)
    assert network_services.perpetrator_links_schedule in events.handlers(events.Event.PERPETRATOR_CHANGED)
    assert events.handlers(events.Event.COUNTED_DATA_CHANGED)


def test_a_report_through_the_service_starts_its_clock(client, db):
    assert client.post("/api/v1/reports", data=json.dumps(valid_payload()), content_type="application/json").status_code == 201
    report = Report.objects.get()
    assert Deadline.objects.filter(report=report, kind=Deadline.Kind.FIRST_CONTACT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_case_open_scans_the_case_once_after_commit(monkeypatch, intake_officer):
    scanned: list[int] = []
    real_scan = network_services.perpetrator_links_scan

    def counting_scan(*, case):
        scanned.append(case.pk)
        return real_scan(case=case)

    monkeypatch.setattr(network_services, "perpetrator_links_scan", counting_scan)
    report = make_report(identifiers=[("phone", "081298765432"), ("instagram", "@pelaku.satu"),
                                      ("tiktok", "@pelaku_dua")])
    case = case_services.case_open(actor=intake_officer, report=report)
    assert scanned == [case.pk]  # once per commit per case (signals queued N+2 = 5 scans)
