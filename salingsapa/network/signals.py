"""Scan for repeat-perpetrator links whenever a case gains a perpetrator identifier.

The scan runs once per case after the transaction commits, whichever way the identifier
arrived (a report attached to a case, a perpetrator added or edited, an account recorded).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from salingsapa.cases.models import CasePerson, Person, PersonIdentifier
from salingsapa.intake.models import Report, ReportIdentifier


def _schedule(case_ids: set[int]) -> None:
    """Scan after commit (a rolled-back transaction scans nothing). A scan finds only new links, so
    scanning a case twice is harmless."""
    if not case_ids:
        return

    def run() -> None:
        from salingsapa.cases.models import Case
        from salingsapa.network.services import perpetrator_links_alert, perpetrator_links_scan

        for case in Case.objects.filter(pk__in=case_ids):
            perpetrator_links_alert(links=perpetrator_links_scan(case=case))

    transaction.on_commit(run)


@receiver(post_save, sender=Report)
def _report_saved(sender: Any, instance: Report, **kwargs: Any) -> None:
    if instance.case_id and instance.identifiers.exists():
        _schedule({instance.case_id})


@receiver(post_save, sender=ReportIdentifier)
def _report_identifier_saved(sender: Any, instance: ReportIdentifier, **kwargs: Any) -> None:
    if instance.report.case_id:
        _schedule({instance.report.case_id})


def _perpetrator_cases(person_id: int) -> set[int]:
    return set(CasePerson.objects.filter(person_id=person_id, role=CasePerson.Role.PERPETRATOR).values_list("case_id", flat=True))


@receiver(post_save, sender=CasePerson)
def _case_person_saved(sender: Any, instance: CasePerson, **kwargs: Any) -> None:
    if instance.role == CasePerson.Role.PERPETRATOR:
        _schedule({instance.case_id})


@receiver(post_save, sender=Person)
def _person_saved(sender: Any, instance: Person, **kwargs: Any) -> None:
    if instance.phone_index or instance.nik_index:
        _schedule(_perpetrator_cases(instance.pk))


@receiver(post_save, sender=PersonIdentifier)
def _person_identifier_saved(sender: Any, instance: PersonIdentifier, **kwargs: Any) -> None:
    _schedule(_perpetrator_cases(instance.person_id))
