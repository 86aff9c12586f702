"""Writes on cases. Keyword-only functions named ``<thing>_<verb>`` (see shared/DESIGN.md).

Every function here checks the actor's role, writes the audit entry and a timeline event, and
raises :class:`CaseError` (with a Bahasa Indonesia message) for anything it refuses. Writes that
change the case row itself take ``expected_version`` (optimistic locking): when someone else
changed the case in between, :class:`CaseConflict` is raised and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import filetype
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salingsapa.accounts.models import Organisation, Role, User
from salingsapa.cases import sla
from salingsapa.cases.models import (
    Alert,
    ApprovalStatus,
    Case,
    CaseCounter,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CasePerson,
    CaseStatus,
    ClosureRequest,
    Deadline,
    Incident,
    NoteKind,
    Person,
    PersonIdentifier,
    RiskAssessment,
    ServicePlan,
    Task,
)
from salingsapa.cases.risk import ITEM_KEYS, RISK_RANK, risk_compute
from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.core.files import read_sealed_file, store_sealed_file
from salingsapa.core.identifiers import InvalidIdentifier, identifier_index, normalise_identifier
from salingsapa.core.models import Code
from salingsapa.intake.access import reports_for
from salingsapa.intake.models import Report
from salingsapa.intake.services import report_case_link
from salingsapa.notify.services import staff_alert_deliver

CONFLICT_MESSAGE = gettext_lazy(
    "Kasus ini telah diubah oleh orang lain, muat ulang halaman lalu ulangi perubahan Anda."
)

# Explicit workflow (Permen PPPA 2/2022). CLOSED is reached only through an approved closure
# request; leaving CLOSED (reopen) needs a reason.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.ASSESSMENT}),
    CaseStatus.ASSESSMENT: frozenset({CaseStatus.PLANNING}),
    CaseStatus.PLANNING: frozenset({CaseStatus.IN_SERVICE, CaseStatus.ASSESSMENT}),
    CaseStatus.IN_SERVICE: frozenset({CaseStatus.MONITORING, CaseStatus.PLANNING}),
    CaseStatus.MONITORING: frozenset({CaseStatus.IN_SERVICE, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.ASSESSMENT}),
}
DOCUMENT_TYPES = frozenset({
    "application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic", "audio/mpeg", "audio/mp4", "audio/ogg",
    "video/mp4", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})
PLAN_STAGES = frozenset({CaseStatus.PLANNING, CaseStatus.IN_SERVICE, CaseStatus.MONITORING})
CLOSABLE_FROM = frozenset({CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.IN_SERVICE, CaseStatus.MONITORING})


class CaseError(Exception):
    """A refused case operation; ``message`` is shown to the user, ``field`` names the form field if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class CaseConflict(CaseError):
    def __init__(self) -> None:
        super().__init__(str(CONFLICT_MESSAGE))


class InvalidTransition(CaseError):
    pass


class NotPermitted(CaseError):
    pass


# --- helpers ---------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _require_casework(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_lead_agency_staff:
        raise NotPermitted(_("Anda tidak berwenang melakukan tindakan ini."))


def _require_supervisor(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_supervisor:
        raise NotPermitted(_("Hanya supervisor yang dapat memberi persetujuan."))


def _event(case: Case, actor: Any, kind: str, reason: str = "", **params: Any) -> CaseEvent:
    """The timeline entry every change of a case writes: its kind and parameters (``cases/timeline.py`` lists
    the shapes and renders them in the reader's language); the case's figures in statistics go stale."""
    publish(Event.COUNTED_DATA_CHANGED, case_ids=[case.pk])
    return CaseEvent.objects.create(
        case=case, at=_now(), actor=actor if getattr(actor, "pk", None) else None, kind=kind, params=params,
        reason=reason,
    )


def _bump(case: Case, expected_version: int | None, **fields: Any) -> None:
    """Write ``fields`` on the case only if nobody changed it since ``expected_version``."""
    version = case.version if expected_version is None else int(expected_version)
    updated = Case.objects.filter(pk=case.pk, version=version).update(version=F("version") + 1, **fields)
    if not updated:
        raise CaseConflict()
    for name, value in fields.items():
        setattr(case, name, value)
    case.version = version + 1


def _status_label(status: str) -> str:
    return str(CaseStatus(status).label)


def _risk_label(level: str) -> str:
    return {"high": "Tinggi", "medium": "Sedang", "low": "Rendah"}.get(level, "-")


def _supervisors(organisation_id: int | None) -> list[User]:
    qs = User.objects.filter(role=Role.SUPERVISOR, is_active=True, organisation__kind=Organisation.Kind.UPTD_PPA)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return list(qs)


def alert_create(
    *, recipients: Iterable[User], kind: str, message: str, case: Case | None = None,
    report: Report | None = None, deadline: Deadline | None = None, link: str = "",
) -> int:
    """One alert per recipient; an alert for the same deadline and recipient is never written twice."""
    written = 0
    for user in recipients:
        if deadline is not None and Alert.objects.filter(deadline=deadline, recipient=user).exists():
            continue
        try:
            with transaction.atomic():
                Alert.objects.create(
                    recipient=user, kind=kind, message=message[:300], case=case, report=report,
                    deadline=deadline, link=link[:200], created_at=_now(),
                )
                # by the user's preference also by email or WhatsApp: the kind and the reference only
                staff_alert_deliver(user=user, kind=str(Alert.Kind(kind).label) if kind in Alert.Kind.values else kind,
                                    reference=case.number if case else report.reference if report else "")
            written += 1
        except IntegrityError:  # a concurrent job wrote it first
            continue
    return written


SECURITY_EVENT_TEXT = {  # stored in Bahasa Indonesia; cases.alert_text shows them in the reader's language
    "account_created": gettext_noop("akun baru dibuat"),
    "account_changed": gettext_noop("akun diubah"),
    "second_factor_enrolled": gettext_noop("verifikasi dua langkah didaftarkan"),
    "second_factor_reset": gettext_noop("verifikasi dua langkah diatur ulang"),
}


def account_security_alert(*, subject: User, actor: Any, kind: str, fields: list[str]) -> int:
    """An account change that could open case content is told to the lead agency's supervisors (in-app alert).

    Subscribed to ``Event.ACCOUNT_SECURITY``; the message names accounts (staff usernames), never case data.
    """
    org_id = subject.organisation_id if subject.organisation and subject.organisation.is_lead_agency else None
    recipients = _supervisors(org_id) or _supervisors(None)
    who = actor.get_username() if hasattr(actor, "get_username") else str(actor or gettext_noop("sistem"))
    detail = f" ({', '.join(fields)})" if fields else ""
    message = f"Keamanan akun: {SECURITY_EVENT_TEXT.get(kind, kind)} — akun {subject.get_username()}, oleh {who}{detail}."
    return alert_create(recipients=recipients, kind=Alert.Kind.SECURITY, message=message)


def alerts_mark_read(*, actor: User, alert_ids: Iterable[int] | None = None) -> int:
    qs = Alert.objects.filter(recipient=actor, read_at__isnull=True)
    if alert_ids is not None:
        qs = qs.filter(pk__in=list(alert_ids))
    return qs.update(read_at=_now())


# --- deadlines ------------------------------------------------------------------------------


def _clocks_counted(deadlines: Iterable[Deadline]) -> None:
    """The statistics count the clocks (``stats/service_stats.py``, rolled up per start month): say whose they
    are, so the rollups refresh those months (``COUNTED_DATA_CHANGED``, see ``core/events.py``)."""
    cases = sorted({d.case_id for d in deadlines if d.case_id})
    reports = sorted({d.report_id for d in deadlines if d.report_id})
    if cases or reports:
        publish(Event.COUNTED_DATA_CHANGED, case_ids=cases, report_ids=reports)


def _first_contact_clock(report: Report) -> Deadline:
    risk = sla.effective_risk(report.risk_level, emergency=report.is_emergency or report.in_danger_now)
    return Deadline(
        kind=Deadline.Kind.FIRST_CONTACT, report=report, case_id=report.case_id, risk_level=risk,
        starts_at=report.received_at, created_at=_now(),
        due_at=sla.first_contact_due(start=report.received_at, risk_level=risk),
    )


def deadline_first_contact_ensure(*, report: Report) -> Deadline:
    """The first-contact clock of a report (created once, when the report arrives)."""
    existing = Deadline.objects.filter(report=report, kind=Deadline.Kind.FIRST_CONTACT).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            deadline = _first_contact_clock(report)
            deadline.save(force_insert=True)
            _clocks_counted([deadline])
            return deadline
    except IntegrityError:
        return Deadline.objects.get(report=report, kind=Deadline.Kind.FIRST_CONTACT)


def deadline_first_contact_start(*, report: Report) -> Deadline:
    """The handler of ``REPORT_RECEIVED``: the clock of a report inserted in this very transaction.

    No other transaction can see that report yet, so it has no clock: one INSERT, without the look-up
    and the savepoint of ``deadline_first_contact_ensure`` (three statements less per report). Nor an
    announcement for the statistics: the report's own (``intake.report_create``, same transaction) covers
    its clock, which starts when the report was received (the same month)."""
    deadline = _first_contact_clock(report)
    deadline.save(force_insert=True)
    return deadline


def _running_first_contact_clocks(*, report: Report | None, case: Case | None) -> QuerySet[Deadline]:
    """The first-contact clocks still running for a report, or for a case and every report attached to it."""
    qs = Deadline.objects.filter(kind=Deadline.Kind.FIRST_CONTACT, met_at__isnull=True)
    if report is not None:
        return qs.filter(report=report)
    if case is not None:
        return qs.filter(Q(case=case) | Q(report__case=case))
    return qs.none()


def deadlines_reschedule(*, risk_level: str, emergency: bool, report: Report | None = None, case: Case | None = None) -> int:
    """Move open first-contact clocks to the clock of a new risk level (after triage or assessment)."""
    qs = _running_first_contact_clocks(report=report, case=case)
    risk = sla.effective_risk(risk_level, emergency=emergency)
    changed = []
    for deadline in qs:
        deadline.risk_level = risk
        deadline.due_at = sla.first_contact_due(start=deadline.starts_at, risk_level=risk)
        deadline.save(update_fields=["risk_level", "due_at"])
        changed.append(deadline)
    _clocks_counted(changed)
    return len(changed)


def first_contact_record(*, actor: User, report: Report | None = None, case: Case | None = None) -> int:
    """Stop the first-contact clock(s) of a report or of every report of a case."""
    _require_casework(actor)
    qs = _running_first_contact_clocks(report=report, case=case)
    now = _now()
    met = []
    for deadline in qs:
        deadline.met_at, deadline.met_by = now, actor
        deadline.save(update_fields=["met_at", "met_by"])
        audit_log(actor=actor, action="update", object_type="deadline", object_id=deadline.pk, detail={"event": "met"})
        if deadline.case_id:
            _event(deadline.case, actor, CaseEvent.Kind.DEADLINE, what="first_contact")  # type: ignore[arg-type]
        met.append(deadline)
    _clocks_counted(met)
    return len(met)


def _case_is_sexual_violence(case: Case) -> bool:
    for incident in case.incidents.all():
        forms = [c.slug for c in incident.violence_forms.all()]
        tpks = [c.slug for c in incident.tpks_forms.all()]
        if sla.is_sexual_violence(forms, tpks):
            return True
    return False


def deadline_tpks_ensure(*, case: Case) -> Deadline | None:
    """The UU TPKS Pasal 41 clock for a sexual-violence case (when the victim consents, if so configured)."""
    if case.police_reported_at is not None or not _case_is_sexual_violence(case):
        return None
    if settings.SLA_TPKS_REQUIRES_CONSENT and case.police_report_consent is not True:
        return None
    existing = Deadline.objects.filter(case=case, kind=Deadline.Kind.TPKS_POLICE).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            deadline = Deadline.objects.create(
                kind=Deadline.Kind.TPKS_POLICE, case=case, risk_level=case.risk_level, starts_at=case.reported_at,
                due_at=sla.tpks_police_due(reported_at=case.reported_at), created_at=_now(),
            )
            _clocks_counted([deadline])
            return deadline
    except IntegrityError:
        return Deadline.objects.get(case=case, kind=Deadline.Kind.TPKS_POLICE)


def case_police_consent_record(*, actor: User, case: Case, consent: bool, expected_version: int | None) -> None:
    _require_casework(actor)
    with transaction.atomic():
        _bump(case, expected_version, police_report_consent=consent)
        if consent:
            deadline_tpks_ensure(case=case)
        else:
            Deadline.objects.filter(case=case, kind=Deadline.Kind.TPKS_POLICE, met_at__isnull=True).delete()
        _event(case, actor, CaseEvent.Kind.CONSENT, police_report=bool(consent))
        audit_log(actor=actor, action="update", object_type="case", object_id=case.pk,
                  detail={"event": "police_consent", "consent": consent})


def case_police_report_record(*, actor: User, case: Case, expected_version: int | None = None) -> None:
    """The report was passed to the police: stops the UU TPKS clock."""
    _require_casework(actor)
    now = _now()
    with transaction.atomic():
        if case.police_reported_at is None:
            _bump(case, expected_version, police_reported_at=now)
        Deadline.objects.filter(case=case, kind=Deadline.Kind.TPKS_POLICE, met_at__isnull=True).update(
            met_at=now, met_by=actor
        )
        _event(case, actor, CaseEvent.Kind.DEADLINE, what="police_reported")
        audit_log(actor=actor, action="update", object_type="case", object_id=case.pk, detail={"event": "police_reported"})


def deadlines_escalate(*, now: dt.datetime | None = None) -> int:
    """Escalate every overdue open deadline once: audit entry + an alert to the supervisors. Idempotent."""
    now = now or _now()
    escalated = 0
    overdue = Deadline.objects.filter(met_at__isnull=True, escalated_at__isnull=True, due_at__lt=now).select_related(
        "case", "report", "report__case"
    )
    for deadline in overdue:
        with transaction.atomic():
            # Claim the row: a concurrent run that got here first makes this update match nothing.
            if not Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            case = deadline.case or (deadline.report.case if deadline.report else None)
            label = case.number if case else (deadline.report.reference if deadline.report else "-")
            kind_label = str(Deadline.Kind(deadline.kind).label)
            recipients = _supervisors(case.organisation_id if case else None)
            if case is None and deadline.report is not None:
                # a report that is not a case yet: the supervisors of the agencies whose area it is in
                recipients = [u for u in recipients if reports_for(u).filter(pk=deadline.report.pk).exists()]
            if case is not None and case.case_manager_id and case.case_manager not in recipients:
                recipients.append(case.case_manager)  # type: ignore[arg-type]
            alert_create(
                recipients=recipients, kind=Alert.Kind.ESCALATION, deadline=deadline, case=case,
                report=deadline.report, message=f"Tenggat terlewati: {kind_label} untuk {label}",
            )
            audit_log(actor="system:sla", action="escalate", object_type="deadline", object_id=deadline.pk,
                      detail={"kind": deadline.kind, "case": case.pk if case else None,
                              "report": deadline.report_id, "recipients": len(recipients)})
            if case is not None:
                _event(case, None, CaseEvent.Kind.DEADLINE, what="escalated", deadline_kind=deadline.kind)
            escalated += 1
    return escalated


def deadlines_ensure_missing() -> int:
    """Create first-contact clocks for open reports that have none (e.g. written before this app existed)."""
    created = 0
    open_reports = Report.objects.filter(status__in=[Report.Status.NEW, Report.Status.IN_REVIEW]).exclude(
        deadlines__kind=Deadline.Kind.FIRST_CONTACT
    )
    for report in open_reports:
        deadline_first_contact_ensure(report=report)
        created += 1
    return created


# --- opening cases from reports -------------------------------------------------------------


def case_numbers_allocate(*, year: int, count: int = 1) -> list[tuple[int, str]]:
    """Reserve ``count`` consecutive case numbers for ``year``: ``[(sequence, "SRG-2025-0064"), ...]``.

    The counter row is updated before it is read, so concurrent callers queue on its lock and
    never receive the same number (on SQLite the IMMEDIATE transaction does the same).
    """
    with transaction.atomic():
        CaseCounter.objects.get_or_create(year=year)
        CaseCounter.objects.filter(year=year).update(last=F("last") + count)
        last = CaseCounter.objects.select_for_update().get(year=year).last
    first = last - count + 1
    prefix = settings.CASE_NUMBER_PREFIX
    return [(seq, f"{prefix}-{year}-{seq:04d}") for seq in range(first, last + 1)]


def _codes(list_name: str, slugs: Iterable[str]) -> list[Code]:
    return list(Code.objects.filter(list=list_name, slug__in=list(slugs)))


def case_open(*, actor: User, report: Report, case_manager: User | None = None) -> Case:
    """Open a new case from a report: number, victim/reporter/perpetrator, incident, clocks, timeline."""
    _require_casework(actor)
    if report.status not in {Report.Status.NEW, Report.Status.IN_REVIEW} or report.case_id:
        raise CaseError(_("Pengaduan ini sudah ditindaklanjuti."))
    if case_manager is not None and (case_manager.organisation_id != actor.organisation_id
                                     or not case_manager.is_lead_agency_staff):
        raise CaseError(_("Manajer kasus harus staf unit yang sama."), field="case_manager")
    now = _now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.case_id or locked.status not in {Report.Status.NEW, Report.Status.IN_REVIEW}:
            raise CaseError(_("Pengaduan ini sudah ditindaklanjuti."))
        year = timezone.localtime(now).year
        org_id = actor.organisation_id
        assert org_id is not None  # lead-agency staff always belong to an organisation
        [(sequence, number)] = case_numbers_allocate(year=year)
        case = Case.objects.create(
            number=number, year=year, sequence=sequence, organisation_id=org_id,
            case_manager=case_manager, status=CaseStatus.NEW, risk_level=report.risk_level,
            is_emergency=report.is_emergency or report.in_danger_now, reported_at=report.received_at,
            opened_at=now, kelurahan=report.kelurahan, channel=report.channel, created_by=actor,
        )
        victim = Person.objects.create(sex=report.victim_sex or "unknown", kelurahan=report.kelurahan, created_at=now)
        CasePerson.objects.create(case=case, person=victim, role=CasePerson.Role.VICTIM,
                                  age_group=report.victim_age_group,
                                  is_child=report.victim_is_child or report.victim_age_group in codelists.CHILD_AGE_GROUPS)
        if report.reporter_role == "victim":
            if report.contact_name or report.contact_phone:
                victim.full_name, victim.phone, victim.phone_index = (
                    report.contact_name, report.contact_phone, report.contact_phone_index)
                victim.save(update_fields=["full_name", "phone", "phone_index"])
        elif report.contact_name or report.contact_phone:
            reporter = Person.objects.create(full_name=report.contact_name, phone=report.contact_phone,
                                             phone_index=report.contact_phone_index, created_at=now)
            CasePerson.objects.create(case=case, person=reporter, role=CasePerson.Role.REPORTER)
        identifiers = list(report.identifiers.all())
        if identifiers or report.relationship:
            perpetrator = Person.objects.create(created_at=now)
            for ident in identifiers:
                if ident.kind == "phone" and not perpetrator.phone_index:
                    perpetrator.phone, perpetrator.phone_index = ident.value, ident.value_index
                elif ident.kind == "nik" and not perpetrator.nik_index:
                    perpetrator.nik, perpetrator.nik_index = ident.value, ident.value_index
                PersonIdentifier.objects.create(person=perpetrator, kind=ident.kind, value=ident.value,
                                                value_index=ident.value_index)
            perpetrator.save()
            CasePerson.objects.create(case=case, person=perpetrator, role=CasePerson.Role.PERPETRATOR)
            publish(Event.PERPETRATOR_CHANGED, case_ids={case.pk})
        incident = Incident.objects.create(
            case=case, occurred_on=report.incident_date, place=report.place, kelurahan=report.kelurahan,
            relationship=report.relationship, met_via=report.met_via, met_via_platform=report.met_via_platform,
            description=report.narrative,
        )
        incident.violence_forms.set(_codes("violence_form", report.violence_forms or []))
        incident.tpks_forms.set(_codes("tpks_form", report.tpks_forms or []))
        if not report_case_link(report=locked, case_id=case.pk, status=Report.Status.CASE_OPENED):
            raise CaseError(_("Pengaduan ini sudah ditindaklanjuti."))
        report.status, report.case = Report.Status.CASE_OPENED, case
        deadline_first_contact_ensure(report=report)
        Deadline.objects.filter(report=report, case__isnull=True).update(case=case)
        if not settings.SLA_TPKS_REQUIRES_CONSENT:
            deadline_tpks_ensure(case=case)
        _event(case, actor, CaseEvent.Kind.OPENED, reference=report.reference)
        audit_log(actor=actor, action="create", object_type="case", object_id=case.pk,
                  detail={"from_report": report.pk})
        if case_manager is not None and case_manager != actor:
            alert_create(recipients=[case_manager], kind=Alert.Kind.ASSIGNED, case=case,
                         message=f"Anda ditetapkan sebagai manajer kasus {case.number}")
    return case


def report_attach(*, actor: User, report: Report, case: Case) -> None:
    """Attach a report to an existing case (a repeat or duplicate report)."""
    _require_casework(actor)
    if case.organisation_id != actor.organisation_id:
        raise NotPermitted(_("Anda tidak berwenang atas kasus ini."))
    with transaction.atomic():
        if not report_case_link(report=report, case_id=case.pk, status=Report.Status.ATTACHED):
            raise CaseError(_("Pengaduan ini sudah ditindaklanjuti."))
        report.status, report.case = Report.Status.ATTACHED, case
        Deadline.objects.filter(report=report).update(case=case)
        if report.identifiers.exists():  # the report's identifiers now count for this case
            publish(Event.PERPETRATOR_CHANGED, case_ids={case.pk})
        _event(case, actor, CaseEvent.Kind.REPORT_ATTACHED, reference=report.reference)
        audit_log(actor=actor, action="update", object_type="report", object_id=report.pk,
                  detail={"event": "attached", "case": case.pk})


# --- workflow -------------------------------------------------------------------------------


def allowed_transitions(case: Case) -> list[str]:
    """Targets a user may pick directly (closure goes through a request and approval)."""
    return [s for s in ALLOWED_TRANSITIONS.get(case.status, frozenset()) if s != CaseStatus.CLOSED
            and case.status != CaseStatus.CLOSED]


def case_transition(*, actor: User, case: Case, to_status: str, expected_version: int | None, reason: str = "") -> None:
    _require_casework(actor)
    if to_status not in CaseStatus.values:
        raise InvalidTransition(_("Status tujuan tidak dikenal."), field="to_status")
    if to_status == CaseStatus.CLOSED:
        raise InvalidTransition(_("Terminasi memerlukan alasan dan persetujuan supervisor: ajukan permohonan terminasi."))
    if case.status == CaseStatus.CLOSED:
        raise InvalidTransition(_("Kasus sudah diterminasi; gunakan \"Buka kembali\" dengan alasan."))
    if to_status not in ALLOWED_TRANSITIONS.get(case.status, frozenset()):
        raise InvalidTransition(
            f"Perpindahan status dari \"{_status_label(case.status)}\" ke \"{_status_label(to_status)}\" tidak diizinkan.",
            field="to_status",
        )
    if to_status == CaseStatus.PLANNING and case.status == CaseStatus.ASSESSMENT and not case.risk_assessments.exists():
        raise InvalidTransition(_("Lakukan asesmen risiko sebelum menyusun rencana intervensi."))
    if to_status == CaseStatus.IN_SERVICE and case.status == CaseStatus.PLANNING:
        plan = case.plans.first()
        if plan is None or plan.status != ServicePlan.Status.APPROVED:
            raise InvalidTransition(_("Layanan dimulai setelah rencana intervensi disetujui."))
    with transaction.atomic():
        previous = case.status
        _bump(case, expected_version, status=to_status)
        _event(case, actor, CaseEvent.Kind.STATUS, reason, **{"from": previous, "to": to_status})
        audit_log(actor=actor, action="update", object_type="case", object_id=case.pk,
                  detail={"event": "status", "from": previous, "to": to_status})


def case_assign(*, actor: User, case: Case, manager: User | None, expected_version: int | None) -> None:
    _require_casework(actor)
    if manager is not None and (manager.organisation_id != case.organisation_id or not manager.is_lead_agency_staff):
        raise CaseError(_("Manajer kasus harus staf unit yang sama."), field="case_manager")
    if not actor.is_supervisor and case.case_manager_id not in (None, actor.pk):
        raise NotPermitted(_("Hanya supervisor yang dapat mengalihkan kasus milik orang lain."))
    with transaction.atomic():
        _bump(case, expected_version, case_manager=manager)
        _event(case, actor, CaseEvent.Kind.ASSIGNED, manager=manager.display_name if manager else "")
        audit_log(actor=actor, action="update", object_type="case", object_id=case.pk,
                  detail={"event": "assigned", "manager": manager.pk if manager else None})
        if manager is not None and manager != actor:
            alert_create(recipients=[manager], kind=Alert.Kind.ASSIGNED, case=case,
                         message=f"Anda ditetapkan sebagai manajer kasus {case.number}")


def cases_bulk_reassign(*, actor: User, cases: Iterable[Case], manager: User) -> int:
    """Supervisor: give several cases to one case manager (each case's lock is honoured)."""
    _require_supervisor(actor)
    count = 0
    for case in cases:
        case_assign(actor=actor, case=case, manager=manager, expected_version=case.version)
        count += 1
    return count


def case_reopen(*, actor: User, case: Case, reason: str, expected_version: int | None) -> None:
    _require_casework(actor)
    if case.status != CaseStatus.CLOSED:
        raise InvalidTransition(_("Hanya kasus yang sudah diterminasi yang dapat dibuka kembali."))
    if not reason.strip():
        raise CaseError(_("Tuliskan alasan membuka kembali kasus."), field="reason")
    with transaction.atomic():
        _bump(case, expected_version, status=CaseStatus.ASSESSMENT, closed_at=None)
        _event(case, actor, CaseEvent.Kind.REOPENED, reason.strip(), to=CaseStatus.ASSESSMENT)
        audit_log(actor=actor, action="update", object_type="case", object_id=case.pk, detail={"event": "reopened"})


# --- assessment and plan --------------------------------------------------------------------


def case_victim_is_child(case: Case) -> bool:
    return case.participants.filter(role=CasePerson.Role.VICTIM, is_child=True).exists()


def case_is_child_sexual_violence(case: Case) -> bool:
    """A child victim and sexual violence in the incident classification: always high risk, and its
    service plan always needs a supervisor's approval."""
    return case_victim_is_child(case) and _case_is_sexual_violence(case)


def risk_assessment_record(
    *, actor: User, case: Case, answers: dict[str, bool], override_level: str = "", override_reason: str = "",
    expected_version: int | None,
) -> RiskAssessment:
    """Record a checklist. The computed level comes from ``cases.risk.risk_compute`` with the case's facts.

    A computed level *lower* than the case's current level (set at triage or by the previous assessment)
    is never applied silently: the assessor must give a professional judgement (keep a higher level, or
    confirm the lower one) with a reason; both levels, the judgement and the reason are kept and logged.
    """
    _require_casework(actor)
    if case.status == CaseStatus.CLOSED:
        raise CaseError(_("Kasus sudah diterminasi."))
    clean = {key: bool(answers.get(key)) for key in sorted(ITEM_KEYS)}
    result = risk_compute(clean, victim_is_child=case_victim_is_child(case), sexual_violence=_case_is_sexual_violence(case))
    override_level = override_level or ""
    if override_level and override_level not in {"high", "medium", "low"}:
        raise CaseError(_("Pilih tingkat risiko yang dikenal."), field="override_level")
    previous = case.risk_level or ""
    lowered = RISK_RANK[result.level] < RISK_RANK[previous]
    if lowered and not override_level:
        raise CaseError(
            _("Hasil hitungan (%(computed)s) lebih rendah dari tingkat risiko saat ini (%(previous)s). Pilih penilaian "
              "profesional — pertahankan tingkat yang lebih tinggi atau konfirmasi penurunan — dan tuliskan alasannya.")
            % {"computed": _risk_label(result.level), "previous": _risk_label(previous)},
            field="override_level",
        )
    if override_level == result.level and not lowered:
        override_level = ""  # agreeing with the computation is not a judgement to record
    if override_level and not override_reason.strip():
        raise CaseError(_("Penilaian profesional yang berbeda dari hasil hitungan wajib disertai alasan."),
                        field="override_reason")
    final = override_level or result.level
    sealed_answers: Any = clean  # EncryptedJSONField takes the dict and seals it
    now = _now()
    with transaction.atomic():
        _bump(case, expected_version, risk_level=final)
        assessment = RiskAssessment.objects.create(
            case=case, assessed_by=actor, assessed_at=now, answers=sealed_answers, score=result.score,
            red_flags=result.red_flags, computed_level=result.level, override_level=override_level,
            override_reason=override_reason.strip() if override_level else "", final_level=final,
            previous_level=previous,
        )
        deadlines_reschedule(risk_level=final, emergency=case.is_emergency, case=case)
        params: dict[str, Any] = {"level": final, "score": result.score, "red_flags": result.red_flags}
        if override_level and RISK_RANK[final] < RISK_RANK[previous]:
            params.update(judgement="lowered", previous=previous)
        elif override_level:
            params.update(judgement="changed", computed=result.level)
        _event(case, actor, CaseEvent.Kind.RISK, assessment.override_reason, **params)
        audit_log(actor=actor, action="create", object_type="risk_assessment", object_id=assessment.pk,
                  detail={"case": case.pk, "computed": result.level, "final": final, "override": bool(override_level),
                          "previous": previous, "lowered": RISK_RANK[final] < RISK_RANK[previous],
                          "rules": list(result.rules)})
    return assessment


def service_plan_submit(
    *, actor: User, case: Case, goals: str, services: list[str], expected_version: int | None
) -> ServicePlan:
    """Record a service plan. The plan of a high-risk case, and of every child sexual-violence case
    whatever its level, waits for a supervisor's approval; other plans are approved on submission."""
    _require_casework(actor)
    if case.status not in PLAN_STAGES:
        raise InvalidTransition(_("Rencana intervensi disusun pada tahap \"Rencana intervensi\"."))
    if not goals.strip():
        raise CaseError(_("Tuliskan tujuan dan langkah intervensi."), field="goals")
    unknown = set(services) - set(codelists.slugs("service"))
    if unknown or not services:
        raise CaseError(_("Pilih minimal satu layanan dari daftar."), field="services")
    child_sexual = case_is_child_sexual_violence(case)
    needs_approval = case.risk_level == "high" or child_sexual
    now = _now()
    with transaction.atomic():
        _bump(case, expected_version)  # a plan is a change of the case: honour the lock
        plan = ServicePlan.objects.create(
            case=case, goals=goals.strip(), services=list(services), needs_approval=needs_approval,
            status=ServicePlan.Status.PENDING if needs_approval else ServicePlan.Status.APPROVED,
            submitted_by=actor, submitted_at=now,
        )
        ServicePlan.objects.filter(case=case, status=ServicePlan.Status.PENDING).exclude(pk=plan.pk).update(
            status=ServicePlan.Status.REJECTED, decision_note="Digantikan rencana yang lebih baru", decided_at=now
        )
        _event(case, actor, CaseEvent.Kind.PLAN, what="submitted" if needs_approval else "recorded")
        audit_log(actor=actor, action="create", object_type="service_plan", object_id=plan.pk,
                  detail={"case": case.pk, "needs_approval": needs_approval})
        if needs_approval:
            why = "kekerasan seksual terhadap anak" if child_sexual else "risiko tinggi"
            alert_create(recipients=[u for u in _supervisors(case.organisation_id) if u != actor],
                         kind=Alert.Kind.APPROVAL, case=case,
                         message=f"Rencana intervensi kasus {case.number} ({why}) menunggu persetujuan")
    return plan


def approval_decide(
    *, actor: User, request: ServicePlan | ClosureRequest, approve: bool, note: str, own_request: str, already_decided: str,
    object_type: str, alert_message: str, effect: Callable[[Case, dt.datetime], None],
) -> None:
    """Decide a request waiting for a supervisor (a service plan or a closure): the one approval rule.

    Another supervisor of the case's office decides (never the requester, ``own_request`` says so);
    refusing needs a reason; a request is decided exactly once (``already_decided`` otherwise).
    ``effect(case, now)`` does what the decision means for the case, in the same transaction
    (it may refuse, undoing the decision); then the audit entry and the requester's alert.
    """
    _require_supervisor(actor)
    case = request.case
    if case.organisation_id != actor.organisation_id:
        raise NotPermitted(_("Anda tidak berwenang atas kasus ini."))
    if request.requester_id == actor.pk:
        raise NotPermitted(own_request)
    if not approve and not note.strip():
        raise CaseError(_("Tuliskan alasan penolakan."), field="note")
    model = type(request)
    now = _now()
    with transaction.atomic():
        updated = model.objects.filter(pk=request.pk, status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED, decided_by=actor, decided_at=now,
        )
        if not updated:
            raise CaseError(already_decided)
        if note.strip():
            model.objects.filter(pk=request.pk).update(decision_note=note.strip())
        request.refresh_from_db()
        effect(case, now)
        audit_log(actor=actor, action="update", object_type=object_type, object_id=request.pk,
                  detail={"event": "approved" if approve else "rejected", "case": case.pk})
        alert_create(recipients=[request.requester], kind=Alert.Kind.DECISION, case=case,
                     message=alert_message)


def service_plan_approve(*, actor: User, plan: ServicePlan, approve: bool = True, note: str = "") -> None:
    def effect(case: Case, now: dt.datetime) -> None:
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        _event(case, actor, CaseEvent.Kind.PLAN, note.strip(), what="approved" if approve else "rejected")

    approval_decide(
        actor=actor, request=plan, approve=approve, note=note, object_type="service_plan", effect=effect,
        own_request=_("Rencana harus disetujui oleh supervisor lain, bukan oleh pengusulnya."),
        already_decided=_("Rencana ini sudah diputuskan."),
        alert_message=f"Rencana intervensi kasus {plan.case.number} {'disetujui' if approve else 'ditolak'}",
    )


# --- closure --------------------------------------------------------------------------------


def case_close_request(*, actor: User, case: Case, reason: str, expected_version: int | None) -> ClosureRequest:
    _require_casework(actor)
    if case.status not in CLOSABLE_FROM:
        raise InvalidTransition(f"Kasus berstatus \"{_status_label(case.status)}\" tidak dapat diajukan terminasi.")
    if not reason.strip():
        raise CaseError(_("Tuliskan alasan terminasi."), field="reason")
    if case.closure_requests.filter(status=ClosureRequest.Status.PENDING).exists():
        raise CaseError(_("Permohonan terminasi sebelumnya masih menunggu persetujuan."))
    with transaction.atomic():
        _bump(case, expected_version)
        request = ClosureRequest.objects.create(case=case, reason=reason.strip(), requested_by=actor, requested_at=_now())
        _event(case, actor, CaseEvent.Kind.CLOSURE, reason.strip(), what="requested")
        audit_log(actor=actor, action="create", object_type="closure_request", object_id=request.pk,
                  detail={"case": case.pk})
        alert_create(recipients=[u for u in _supervisors(case.organisation_id) if u != actor],
                     kind=Alert.Kind.APPROVAL, case=case,
                     message=f"Terminasi kasus {case.number} menunggu persetujuan")
    return request


def case_close_approve(*, actor: User, closure: ClosureRequest, approve: bool = True, note: str = "") -> None:
    def effect(case: Case, now: dt.datetime) -> None:
        if not approve:
            Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
            _event(case, actor, CaseEvent.Kind.CLOSURE, note.strip(), what="rejected")
            return
        if case.status not in CLOSABLE_FROM:
            raise InvalidTransition(_("Kasus tidak lagi dalam status yang dapat diterminasi."))
        previous = case.status
        _bump(case, None, status=CaseStatus.CLOSED, closed_at=now, closure_reason=closure.reason)
        Task.objects.filter(case=case, status=Task.Status.OPEN).update(status=Task.Status.CANCELLED)
        _event(case, actor, CaseEvent.Kind.CLOSURE, note.strip(), what="approved", **{"from": previous})

    approval_decide(
        actor=actor, request=closure, approve=approve, note=note, object_type="closure_request", effect=effect,
        own_request=_("Terminasi harus disetujui oleh supervisor lain, bukan oleh pengusulnya."),
        already_decided=_("Permohonan ini sudah diputuskan."),
        alert_message=f"Terminasi kasus {closure.case.number} {'disetujui' if approve else 'ditolak'}",
    )


# --- notes, tasks, documents ----------------------------------------------------------------


def case_note_add(*, actor: User, case: Case, kind: str, body: str, occurred_on: dt.date | None = None) -> CaseNote:
    _require_casework(actor)
    if kind not in NoteKind.values:
        raise CaseError(_("Pilih jenis catatan."), field="kind")
    if not body.strip():
        raise CaseError(_("Catatan tidak boleh kosong."), field="body")
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise CaseError(_("Tanggal kegiatan tidak boleh di masa depan."), field="occurred_on")
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, kind=kind, body=body.strip(), occurred_on=occurred_on,
                                       author=actor, created_at=_now())
        _event(case, actor, CaseEvent.Kind.NOTE, note_kind=kind)
        audit_log(actor=actor, action="create", object_type="case_note", object_id=note.pk,
                  detail={"case": case.pk, "kind": kind})
        if kind in {NoteKind.CONTACT, NoteKind.COUNSELLING, NoteKind.HOME_VISIT}:
            first_contact_record(actor=actor, case=case)
        if kind == NoteKind.POLICE_REPORT:
            case_police_report_record(actor=actor, case=case, expected_version=None)
    return note


def task_create(*, actor: User, case: Case, title: str, assigned_to: User, due_at: dt.datetime) -> Task:
    _require_casework(actor)
    if not title.strip():
        raise CaseError(_("Tuliskan tugasnya."), field="title")
    if assigned_to.organisation_id != case.organisation_id or not assigned_to.is_lead_agency_staff:
        raise CaseError(_("Penanggung jawab harus staf unit yang sama."), field="assigned_to")
    if case.status == CaseStatus.CLOSED:
        raise CaseError(_("Kasus sudah diterminasi."))
    with transaction.atomic():
        task = Task.objects.create(case=case, title=title.strip(), assigned_to=assigned_to, due_at=due_at,
                                   created_by=actor, created_at=_now())
        _event(case, actor, CaseEvent.Kind.TASK, what="created", assignee=assigned_to.display_name,
               due=timezone.localtime(due_at).isoformat(timespec="minutes"))
        audit_log(actor=actor, action="create", object_type="task", object_id=task.pk, detail={"case": case.pk})
    return task


def task_complete(*, actor: User, task: Task) -> None:
    _require_casework(actor)
    with transaction.atomic():
        if not Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(status=Task.Status.DONE, done_at=_now()):
            raise CaseError(_("Tugas ini sudah tidak terbuka."))
        task.refresh_from_db()
        _event(task.case, actor, CaseEvent.Kind.TASK, what="done")
        audit_log(actor=actor, action="update", object_type="task", object_id=task.pk, detail={"event": "done"})


def case_document_add(
    *, actor: User, case: Case, data: bytes, filename: str, content_type: str, description: str = ""
) -> CaseDocument:
    _require_casework(actor)
    if not data:
        raise CaseError(_("Berkas kosong."), field="file")
    if len(data) > settings.CASE_DOCUMENT_MAX_BYTES:
        raise CaseError(_("Berkas terlalu besar."), field="file")
    # The type is taken from the bytes, never from the browser's claim; unknown types are served as
    # opaque downloads so a document can never render as a page.
    kind = filetype.guess(data)
    content_type = kind.mime if kind is not None and kind.mime in DOCUMENT_TYPES else "application/octet-stream"
    with transaction.atomic():
        storage_name = store_sealed_file(data, purpose="case-document")
        document = CaseDocument.objects.create(
            case=case, storage_name=storage_name, original_name=filename[:200], description=description.strip(),
            content_type=content_type, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor, uploaded_at=_now(),
        )
        _event(case, actor, CaseEvent.Kind.DOCUMENT, what="uploaded")
        audit_log(actor=actor, action="create", object_type="case_document", object_id=document.pk,
                  detail={"case": case.pk, "size": len(data)})
    return document


def case_document_read(*, actor: User, document: CaseDocument) -> bytes:
    _require_casework(actor)
    data = read_sealed_file(document.storage_name, purpose="case-document")
    audit_log(actor=actor, action="read", object_type="case_document", object_id=document.pk,
              detail={"case": document.case_id})
    return data


# --- editing the record: incidents and people -----------------------------------------------------


def incident_update(
    *, actor: User, case: Case, incident: Incident, expected_version: int | None, occurred_on: dt.date | None,
    place: str, kelurahan: Any, relationship: str, met_via: str, met_via_platform: str,
    violence_forms: list[str], tpks_forms: list[str], factors: list[str], description: str,
) -> None:
    """Correct an incident's facts and its SIMFONI-PPA / UU TPKS classification."""
    _require_casework(actor)
    if incident.case_id != case.pk:
        raise NotPermitted(_("Kejadian ini bukan bagian dari kasus ini."))
    if not violence_forms:
        raise CaseError(_("Pilih minimal satu bentuk kekerasan."), field="violence_forms")
    if occurred_on and occurred_on > timezone.localdate():
        raise CaseError(_("Tanggal kejadian tidak boleh di masa depan."), field="occurred_on")
    with transaction.atomic():
        _bump(case, expected_version)
        incident.occurred_on, incident.place, incident.kelurahan = occurred_on, place, kelurahan
        incident.relationship, incident.met_via, incident.met_via_platform = relationship, met_via, met_via_platform
        incident.description = description
        incident.save()
        incident.violence_forms.set(_codes("violence_form", violence_forms))
        incident.tpks_forms.set(_codes("tpks_form", tpks_forms))
        incident.factors.set(_codes("factor", factors))
        deadline_tpks_ensure(case=case)
        _event(case, actor, CaseEvent.Kind.EDITED, what="incident")
        audit_log(actor=actor, action="update", object_type="incident", object_id=incident.pk,
                  detail={"case": case.pk, "violence_forms": sorted(violence_forms), "tpks_forms": sorted(tpks_forms)})


def case_person_save(
    *, actor: User, case: Case, expected_version: int | None, role: str, case_person: CasePerson | None = None,
    full_name: str = "", alias: str = "", nik: str = "", phone: str = "", address: str = "", birth_date: str = "",
    sex: str = "unknown", education: str = "", occupation: str = "", marital_status: str = "", disability: str = "",
    kelurahan: Any = None, age_group: str = "",
) -> CasePerson:
    """Add a person to the case in a role, or correct one already there. NIK and phone are blind-indexed."""

    _require_casework(actor)
    if role not in CasePerson.Role.values:
        raise CaseError(_("Peran tidak dikenal."), field="role")
    if case_person is not None and case_person.case_id != case.pk:
        raise NotPermitted(_("Orang ini bukan bagian dari kasus ini."))
    nik_index = phone_index = ""
    try:
        if nik.strip():
            nik = normalise_identifier("nik", nik)[1]
            nik_index = identifier_index("nik", nik)
        if phone.strip():
            kind, phone = normalise_identifier("phone", phone)
            phone_index = identifier_index(kind, phone)
    except InvalidIdentifier as exc:
        raise CaseError(str(exc), field="nik" if "NIK" in str(exc) else "phone") from None
    with transaction.atomic():
        _bump(case, expected_version)
        person = case_person.person if case_person is not None else Person(created_at=_now())
        person.full_name, person.alias, person.nik, person.nik_index = full_name.strip(), alias.strip(), nik, nik_index
        person.phone, person.phone_index, person.address = phone, phone_index, address.strip()
        person.birth_date, person.sex, person.education, person.occupation = birth_date.strip(), sex, education, occupation
        person.marital_status, person.disability, person.kelurahan = marital_status, disability, kelurahan
        person.save()
        is_child = age_group in codelists.CHILD_AGE_GROUPS
        if case_person is None:
            case_person = CasePerson.objects.create(case=case, person=person, role=role, age_group=age_group,
                                                    is_child=is_child)
            what = "person_added"
            action = "create"
        else:
            case_person.age_group, case_person.is_child = age_group, is_child
            case_person.save(update_fields=["age_group", "is_child"])
            what = "person_updated"
            action = "update"
        _event(case, actor, CaseEvent.Kind.EDITED, what=what, role=case_person.role)
        audit_log(actor=actor, action=action, object_type="person", object_id=person.pk,
                  detail={"case": case.pk, "role": case_person.role})
        # the cases where this person is a perpetrator may now share an identifier with another case
        perpetrator_cases = set(CasePerson.objects.filter(person=person, role=CasePerson.Role.PERPETRATOR)
                                .values_list("case_id", flat=True))
        if perpetrator_cases:
            publish(Event.PERPETRATOR_CHANGED, case_ids=perpetrator_cases)
    return case_person
