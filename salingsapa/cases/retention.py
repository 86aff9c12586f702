"""Retention rules per record type (UU PDP: keep personal data no longer than the purpose needs).

| rule | what | after | what happens |
| --- | --- | --- | --- |
| ``not-violence-reports`` | reports triaged "not violence" and never attached to a case | ``SALINGSAPA_RETENTION_NOT_VIOLENCE_DAYS`` (365) after receipt | anonymised |
| ``closed-cases`` | closed cases | ``SALINGSAPA_RETENTION_CLOSED_CASE_YEARS`` (10) after closure | anonymised, with their reports, records and persons who appear in no other live case |
| ``pending-uploads`` | evidence files of web-report drafts never sent | ``SALINGSAPA_RETENTION_PENDING_UPLOAD_HOURS`` (24) | files and rows deleted |
| ``expired-sessions`` | sessions (they hold report drafts) past their expiry | at expiry | deleted |

*Anonymised* means: every encrypted field (names, NIK, phones, addresses, narratives, notes,
assessments, messages, file names) is emptied, blind indexes and identifier rows are deleted,
sealed files are deleted, and codename hashes and idempotency keys are dropped. What stays is what
the statistics count: dates, categories, age groups, sex, kelurahan, status. The audit log is kept
whole (it holds no personal data) and gains one ``delete`` entry per anonymised record, with the
rule's name. A ``RetentionMark`` row per record makes the rules idempotent.

``retention_run(apply=False)`` is the dry run: counts and ids only, never personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from salingsapa.cases.models import Case, CasePerson, CaseStatus, Person
from salingsapa.core.audit import audit_log
from salingsapa.core.fields import EncryptedJSONField, EncryptedTextField
from salingsapa.core.files import delete_sealed_file
from salingsapa.core.models import RetentionMark
from salingsapa.intake.models import PendingUpload, Report
from salingsapa.intake.services import evidence_pending_purge

ACTOR = "system:retention"
SKIP_MODELS = {"cases.case", "cases.person", "accounts.user", "accounts.organisation", "core.region"}


@dataclass
class RuleResult:
    rule: str
    count: int
    ids: list[Any] = field(default_factory=list)


def _marked(kind: str) -> models.QuerySet[RetentionMark]:
    return RetentionMark.objects.filter(kind=kind)


def _marked_ids(kind: str) -> Any:
    """Ids of records a rule already handled, as a subquery of integers (PostgreSQL compares types)."""
    return _marked(kind).annotate(oid=Cast("object_id", models.BigIntegerField())).values("oid")


def not_violence_reports(now: dt.datetime) -> models.QuerySet[Report]:
    cutoff = now - dt.timedelta(days=settings.RETENTION_NOT_VIOLENCE_DAYS)
    done = _marked_ids("report")
    return (Report.objects.filter(status=Report.Status.NOT_VIOLENCE, case__isnull=True, received_at__lt=cutoff)
            .exclude(pk__in=done).order_by("pk"))


def closed_cases(now: dt.datetime) -> models.QuerySet[Case]:
    cutoff = now - dt.timedelta(days=365 * settings.RETENTION_CLOSED_CASE_YEARS)
    done = _marked_ids("case")
    return Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff).exclude(pk__in=done).order_by("pk")


def pending_uploads(now: dt.datetime) -> models.QuerySet[PendingUpload]:
    cutoff = now - dt.timedelta(hours=settings.RETENTION_PENDING_UPLOAD_HOURS)
    return PendingUpload.objects.filter(created_at__lt=cutoff).order_by("pk")


def _blank(obj: models.Model, files: list[str]) -> None:
    """Empty every encrypted field and blind index of one row; collect its sealed file for deletion."""
    changed = []
    for f in obj._meta.concrete_fields:
        if isinstance(f, EncryptedJSONField):
            setattr(obj, f.attname, f.get_default() if f.has_default() else None)
            changed.append(f.attname)
        elif isinstance(f, EncryptedTextField) or isinstance(f, models.CharField) and (f.name.endswith("_index") or f.name in ("codename_hash",
                                                                                           "request_fingerprint")):
            setattr(obj, f.attname, "")
            changed.append(f.attname)
        elif f.name == "idempotency_key" and f.null:
            setattr(obj, f.attname, None)
            changed.append(f.attname)
        elif f.name == "storage_name" and getattr(obj, f.attname):
            files.append(getattr(obj, f.attname))
            setattr(obj, f.attname, "")
            changed.append(f.attname)
    if changed:
        type(obj)._default_manager.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in changed})


def _children(obj: models.Model) -> list[models.Model]:
    """Rows that point at ``obj`` (one-to-many and one-to-one), except the shared ones."""
    found: list[models.Model] = []
    for rel in obj._meta.related_objects:
        if rel.many_to_many or rel.related_model._meta.label_lower in SKIP_MODELS:
            continue
        accessor = rel.get_accessor_name()
        if accessor is None:
            continue
        if rel.one_to_one:
            child = getattr(obj, accessor, None) if hasattr(obj, accessor) else None
            if child is not None:
                found.append(child)
        else:
            found.extend(getattr(obj, accessor).all())
    return found


def _anonymise_tree(root: models.Model, files: list[str], depth: int = 3) -> None:
    _blank(root, files)
    if depth == 0:
        return
    for child in _children(root):
        _anonymise_tree(child, files, depth - 1)


def _delete_files_after_commit(files: list[str]) -> None:
    names = list(files)

    def delete() -> None:
        for name in names:
            delete_sealed_file(name)

    transaction.on_commit(delete)


def report_anonymise(report: Report, *, rule: str) -> None:
    files: list[str] = []
    with transaction.atomic():
        _anonymise_tree(report, files, depth=1)
        report.identifiers.all().delete()
        RetentionMark.objects.get_or_create(kind="report", object_id=str(report.pk), defaults={"rule": rule})
        audit_log(actor=ACTOR, action="delete", object_type="report", object_id=report.pk,
                  detail={"rule": rule, "files": len(files)})
        _delete_files_after_commit(files)


def _person_still_needed(person: Person, case_ids: set[int]) -> bool:
    """A person stays while any other case of theirs is not yet due for anonymisation."""
    others = CasePerson.objects.filter(person=person).exclude(case_id__in=case_ids).values_list("case_id", flat=True)
    done = {int(x) for x in _marked("case").values_list("object_id", flat=True)}
    return any(case_id not in done for case_id in others)


def case_anonymise(case: Case, *, rule: str) -> None:
    files: list[str] = []
    with transaction.atomic():
        _anonymise_tree(case, files, depth=3)
        for report in case.reports.all():
            report.identifiers.all().delete()
            RetentionMark.objects.get_or_create(kind="report", object_id=str(report.pk), defaults={"rule": rule})
        persons = 0
        for link in CasePerson.objects.filter(case=case).select_related("person"):
            if not _person_still_needed(link.person, {case.pk}):
                _blank(link.person, files)
                link.person.identifiers.all().delete()
                persons += 1
        RetentionMark.objects.get_or_create(kind="case", object_id=str(case.pk), defaults={"rule": rule})
        audit_log(actor=ACTOR, action="delete", object_type="case", object_id=case.pk,
                  detail={"rule": rule, "files": len(files), "persons": persons})
        _delete_files_after_commit(files)


def retention_run(*, apply: bool, now: dt.datetime | None = None, limit: int = 5000) -> list[RuleResult]:
    """Apply (or, with ``apply=False``, only list) every rule. Ids only; never personal data."""
    now = now or timezone.now()
    results = []
    reports = list(not_violence_reports(now).values_list("pk", flat=True)[:limit])
    cases = list(closed_cases(now).values_list("pk", flat=True)[:limit])
    uploads = pending_uploads(now).count()
    sessions = Session.objects.filter(expire_date__lt=now).count()
    if apply:
        for report in Report.objects.filter(pk__in=reports):
            report_anonymise(report, rule="not-violence-reports")
        for case in Case.objects.filter(pk__in=cases):
            case_anonymise(case, rule="closed-cases")
        uploads = evidence_pending_purge(older_than=dt.timedelta(hours=settings.RETENTION_PENDING_UPLOAD_HOURS))
        sessions = Session.objects.filter(expire_date__lt=now).delete()[0]
    results.append(RuleResult("not-violence-reports", len(reports), reports))
    results.append(RuleResult("closed-cases", len(cases), cases))
    results.append(RuleResult("pending-uploads", uploads))
    results.append(RuleResult("expired-sessions", sessions))
    return results
