"""Emergency alerts to on-duty officers: file transport, no personal data in the message."""

from __future__ import annotations

import json

from salingsapa.accounts.models import Role
from salingsapa.intake.models import Report
from tests.personas import make_user
from tests.test_api_reports import post, valid_payload


def read_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_emergency_report_alerts_on_duty_officers_through_file_transport(
    client, settings, tmp_path, intake_officer, case_manager, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "notes.jsonl")
    payload = valid_payload(
        in_danger_now=True,
        narrative="Suami saya mengancam dengan pisau sekarang.",
        contact={"name": "Rahasia Sekali", "phone": "0812-9999-8888", "preferred_channel": "whatsapp"},
        perpetrator_identifiers=[{"kind": "instagram", "value": "@pelaku.rahasia"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload)
    assert response.status_code == 201
    reference = response.json()["reference"]
    lines = read_lines(tmp_path / "notes.jsonl")
    assert [line["to"] for line in lines] == ["petugas"]  # only the officer on duty
    note = lines[0]
    assert note["kind"] == "emergency"
    assert reference in note["body"] and "darurat" in note["body"].lower()
    assert note["data"] == {"reference": reference}
    text = json.dumps(lines, ensure_ascii=False).lower()
    for secret in ("pisau", "suami", "rahasia sekali", "0812", "9999", "pelaku.rahasia", "36.73", "female",
                   response.json()["codename"].split()[0]):
        assert secret not in text


def test_child_and_sexual_violence_is_an_emergency(client, settings, tmp_path, intake_officer,
                                                    django_capture_on_commit_callbacks):
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "notes.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, valid_payload(violence_forms=["seksual"], victim={"sex": "female", "age_group": "13-17"}))
    report = Report.objects.get(reference=response.json()["reference"])
    assert report.is_emergency and report.victim_is_child
    assert len(read_lines(tmp_path / "notes.jsonl")) == 1


def test_ordinary_report_sends_nothing(client, settings, tmp_path, intake_officer, django_capture_on_commit_callbacks):
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "notes.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, valid_payload(violence_forms=["seksual"]))  # an adult: not automatically urgent
    assert response.status_code == 201
    assert not Report.objects.get().is_emergency
    assert read_lines(tmp_path / "notes.jsonl") == []


def test_with_nobody_on_duty_the_alert_is_still_written(client, settings, tmp_path, uptd,
                                                        django_capture_on_commit_callbacks):
    make_user("tidak-piket", Role.INTAKE_OFFICER, uptd, on_duty=False)
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "notes.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, valid_payload(in_danger_now=True))
    lines = read_lines(tmp_path / "notes.jsonl")
    assert len(lines) == 1 and lines[0]["to"] == "piket-kosong"


def test_partner_on_duty_flag_does_not_receive_lead_agency_alerts(client, settings, tmp_path, partner_psychologist,
                                                                  intake_officer, django_capture_on_commit_callbacks):
    partner_psychologist.on_duty = True
    partner_psychologist.save()
    settings.NOTIFY_TRANSPORT = "file"
    settings.NOTIFY_FILE = str(tmp_path / "notes.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, valid_payload(in_danger_now=True))
    assert [line["to"] for line in read_lines(tmp_path / "notes.jsonl")] == ["petugas"]


def test_console_transport_logs_one_json_line(caplog, db):
    from salingsapa.notify.services import notification_send

    with caplog.at_level("WARNING", logger="salingsapa.notify"):
        notification_send(to="petugas", subject="Uji", body="Pesan uji")
    assert any("Pesan uji" in r.getMessage() for r in caplog.records)
