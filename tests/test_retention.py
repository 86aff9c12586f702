"""Retention rules (issue 9 item 9): not-violence reports anonymised after a year, closed cases after
the configured years, draft uploads after 24 h; --dry-run lists ids and counts, never personal data."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from salingsapa.cases.models import CaseNote, CasePerson, Person
from salingsapa.cases.retention import retention_run
from salingsapa.core.files import read_sealed_file, store_sealed_file
from salingsapa.core.models import AuditEvent, RetentionMark
from salingsapa.intake.models import Evidence, PendingUpload, Report
from tests.casework_helpers import make_report
from tests.stats_fixtures import make_case, wib

pytestmark = pytest.mark.django_db

NAME, PHONE, STORY = "Siti Rahasia", "081234567890", "Kronologi: bukan kekerasan, tetangga berisik"


def _old(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _report_with_file(received_at: dt.datetime, status: str = "not_violence") -> tuple[Report, str]:
    report = make_report(received_at=received_at, status=status, narrative=STORY, contact_name=NAME,
                         contact_phone=PHONE, identifiers=[("phone", PHONE)])
    name = store_sealed_file(b"foto", purpose="evidence")
    Evidence.objects.create(report=report, storage_name=name, content_type="image/jpeg", size=4, sha256="0" * 64,
                            uploaded_at=received_at)
    return report, name


def _dry_run() -> str:
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    return out.getvalue()


def test_not_violence_report_after_a_year_is_anonymised(django_capture_on_commit_callbacks):
    old, old_file = _report_with_file(_old(400))
    recent, _ = _report_with_file(_old(100))
    violence, _ = _report_with_file(_old(400), status="triaged")

    listing = _dry_run()
    assert f"not-violence-reports: 1 would go ids: {old.pk}" in listing
    for secret in (NAME, PHONE, STORY, "0812"):
        assert secret not in listing
    assert Report.objects.get(pk=old.pk).narrative == STORY  # a dry run changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=io.StringIO())
    gone = Report.objects.get(pk=old.pk)
    assert (gone.narrative, gone.contact_name, gone.contact_phone, gone.contact_phone_index) == ("", "", "", "")
    assert gone.violence_forms == ["fisik"] and gone.status == "not_violence"  # what statistics count stays
    assert not gone.identifiers.exists()
    assert Evidence.objects.get(report=gone).storage_name == ""
    with pytest.raises(FileNotFoundError):
        read_sealed_file(old_file, purpose="evidence")
    for kept in (recent, violence):
        assert Report.objects.get(pk=kept.pk).narrative == STORY
    entry = AuditEvent.objects.filter(action="delete", object_type="report").get()
    assert entry.object_id == str(old.pk) and entry.detail["rule"] == "not-violence-reports"
    assert "not-violence-reports: 0 would go" in _dry_run()  # once only


def test_closed_case_after_the_configured_years_is_anonymised(uptd, case_manager, settings):
    settings.RETENTION_CLOSED_CASE_YEARS = 5
    closed = make_case(uptd, wib(2019, 2, 3), status="closed", closed_at=wib(2019, 6, 1))
    recent = make_case(uptd, wib(2024, 2, 3), status="closed", closed_at=wib(2024, 6, 1))
    open_case = make_case(uptd, wib(2019, 3, 3))
    victim = CasePerson.objects.get(case=closed, role="victim").person
    Person.objects.filter(pk=victim.pk).update(full_name=NAME, phone=PHONE, nik="3673010101010001")
    shared = CasePerson.objects.get(case=closed, role="perpetrator").person
    Person.objects.filter(pk=shared.pk).update(full_name="Pelaku Berulang")
    CasePerson.objects.create(case=open_case, person=shared, role="perpetrator")  # also in a live case
    CaseNote.objects.create(case=closed, kind="other", occurred_on=dt.date(2019, 3, 1), body=STORY,
                            author=case_manager, created_at=wib(2019, 3, 1))

    listing = _dry_run()
    assert f"closed-cases: 1 would go ids: {closed.pk}" in listing and NAME not in listing
    results = {r.rule: r for r in retention_run(apply=True)}
    assert results["closed-cases"].ids == [closed.pk]

    victim.refresh_from_db()
    assert (victim.full_name, victim.phone, victim.nik, victim.nik_index) == ("", "", "", "")
    assert victim.sex == "female"
    assert Person.objects.get(pk=shared.pk).full_name == "Pelaku Berulang"  # still needed by the open case
    assert CaseNote.objects.get(case=closed).body == ""
    assert RetentionMark.objects.filter(kind="case").count() == 1
    assert not RetentionMark.objects.filter(object_id=str(recent.pk), kind="case").exists()


def test_draft_uploads_after_24_hours_are_deleted():
    stale = PendingUpload.objects.create(storage_name=store_sealed_file(b"x", purpose="evidence"), created_at=_old(2))
    fresh = PendingUpload.objects.create(storage_name=store_sealed_file(b"y", purpose="evidence"),
                                         created_at=timezone.now())
    assert "pending-uploads: 1 would go" in _dry_run()
    retention_run(apply=True)
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    with pytest.raises(FileNotFoundError):
        read_sealed_file(stale.storage_name, purpose="evidence")
