"""`salingsapa audit report --since DATE [--user U] [--case N]`: who read or changed what (issue 9 item 9)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from salingsapa.core.audit import audit_log
from salingsapa.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _report(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("audit", "report", *args, stdout=out)
    return out.getvalue().splitlines()


def test_report_filters_by_user_case_and_date(case_manager, supervisor):
    audit_log(actor=case_manager, action="read", object_type="case", object_id=7, detail={"purpose": "view"})
    audit_log(actor=case_manager, action="update", object_type="service_plan", object_id=3, detail={"case": 7})
    audit_log(actor=supervisor, action="read", object_type="case", object_id=8, detail={"purpose": "view"})
    audit_log(actor=supervisor, action="read", object_type="case", object_id=7)

    since = timezone.localdate().isoformat()
    every = _report("--since", since)
    assert every[-1].startswith("4 entries since") and "2 actors" in every[-1]

    mine = _report("--since", since, "--user", case_manager.username)
    assert len(mine) == 3 and all(f"\t{case_manager.username}\t" in line for line in mine[:-1])

    case7 = _report("--since", since, "--case", "7")
    objects = [line.split("\t")[4] for line in case7[:-1]]
    assert objects == ["case#7", "service_plan#3", "case#7"]  # the case and what names it in its detail

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert _report("--since", tomorrow)[-1].startswith("0 entries")


def test_report_is_itself_audited_and_carries_no_personal_data(case_manager):
    audit_log(actor=case_manager, action="read", object_type="case", object_id=1)
    _report("--since", timezone.localdate().isoformat(), "--format", "csv")
    entry = AuditEvent.objects.order_by("-id").first()
    assert entry.action == "export" and entry.object_type == "audit.report"


def test_report_needs_since_and_a_known_case():
    with pytest.raises(CommandError, match="--since"):
        call_command("audit", "report")
    with pytest.raises(CommandError, match="no case numbered"):
        call_command("audit", "report", "--since", "2025-01-01", "--case", "SRG-1999-0001")
    with pytest.raises(CommandError, match="expected YYYY-MM-DD"):
        call_command("audit", "report", "--since", "kemarin")
