"""Writes of the collaboration network. Keyword-only, named ``<thing>_<verb>``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from salingsapa.accounts.models import Organisation, Role, User
from salingsapa.cases.models import Alert, Case, CaseEvent, CasePerson, Person, PersonIdentifier
from salingsapa.cases.services import CaseError, alert_create, task_create
from salingsapa.core import codelists
from salingsapa.core.audit import audit_log
from salingsapa.core.events import Event, publish
from salingsapa.intake.models import Evidence, ReportIdentifier
from salingsapa.network.models import (
    CaseConference,
    ConferenceAction,
    ConferenceInvite,
    ConferenceItem,
    Consent,
    PerpetratorLink,
    Referral,
    ServiceDelivery,
)

REFERRAL_RESPONSE_HOURS = getattr(settings, "REFERRAL_RESPONSE_HOURS", 48)


class NetworkError(Exception):
    """A refused action; the message is Bahasa Indonesia and safe to show."""


def _require_casework(user: Any, case: Case) -> None:
    if not (user.is_lead_agency_staff and case.organisation_id == user.organisation_id):
        raise NetworkError("Anda tidak berwenang atas kasus ini.")


# --- consent ---------------------------------------------------------------------------------

def consent_record(
    *,
    actor: Any,
    case: Case,
    victim: Person,
    given_by: str,
    services: list[str],
    recipient_organisation: Organisation | None = None,
    recipient_kind: str = "",
    purpose: str = "",
    given_by_person: Person | None = None,
    given_by_name: str = "",
    child_view: str = "",
    given_at: dt.datetime | None = None,
    include_evidence: bool = False,
) -> Consent:
    _require_casework(actor, case)
    victim_link = CasePerson.objects.filter(case=case, person=victim, role=CasePerson.Role.VICTIM).first()
    if victim_link is None:
        raise NetworkError("Orang ini bukan korban dalam kasus ini.")
    unknown = [s for s in services if s not in codelists.slugs("service")]
    if unknown:
        raise NetworkError("Layanan tidak dikenal: " + ", ".join(unknown))
    if given_by not in Consent.GivenBy.values:
        raise NetworkError("Pemberi persetujuan tidak dikenal.")
    if victim_link.is_child:
        if given_by == Consent.GivenBy.VICTIM:
            raise NetworkError("Untuk korban anak, persetujuan diberikan oleh orang tua atau wali; catat pendapat anak.")
        if not child_view.strip():
            raise NetworkError("Catat pendapat anak tentang rujukan ini.")
    if given_by_person is not None and CasePerson.objects.filter(
        case=case, person=given_by_person, role=CasePerson.Role.PERPETRATOR
    ).exists():
        raise NetworkError("Persetujuan tidak boleh diberikan oleh terduga pelaku.")
    consent = Consent.objects.create(
        case=case, victim=victim, given_by=given_by, services=services,
        recipient_organisation=recipient_organisation, recipient_kind=recipient_kind, purpose=purpose,
        given_by_person=given_by_person, given_by_name=given_by_name, child_view=child_view,
        given_at=given_at or timezone.now(), recorded_by=actor, include_evidence=include_evidence,
    )
    audit_log(actor=actor, action="create", object_type="consent", object_id=consent.pk,
              detail={"case": case.pk, "include_evidence": include_evidence})
    return consent


def consent_withdraw(*, actor: Any, consent: Consent) -> int:
    """Withdraw a consent; referrals that rest on it are revoked at once. Returns how many."""
    _require_casework(actor, consent.case)
    now = timezone.now()
    with transaction.atomic():
        consent.withdrawn_at = now
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        revoked = 0
        for referral in consent.referrals.filter(status__in=Referral.ACTIVE, emergency_override=False):
            _revoke(referral, actor=actor, reason="Persetujuan dicabut", now=now)
            revoked += 1
    audit_log(actor=actor, action="update", object_type="consent", object_id=consent.pk,
              detail={"withdrawn": True, "referrals_revoked": revoked})
    return revoked


def consent_applicable(*, case: Case, organisation: Organisation, service: str) -> Consent | None:
    """The newest active consent that covers sending this case to this organisation for this service."""
    candidates = Consent.objects.filter(case=case, withdrawn_at__isnull=True).filter(
        Q(recipient_organisation=organisation)
        | Q(recipient_organisation__isnull=True, recipient_kind=organisation.kind)
        | Q(recipient_organisation__isnull=True, recipient_kind="")
    )
    for consent in candidates.order_by("-given_at"):
        if not consent.services or service in consent.services:
            return consent
    return None


# --- alerts to partners ------------------------------------------------------------------------

def _partner_users(organisation: Organisation) -> list[User]:
    return list(User.objects.filter(organisation=organisation, role=Role.PARTNER, is_active=True))


def partner_alert(*, organisation: Organisation, kind: str, message: str, link: str = "") -> int:
    """An in-app alert (``cases.Alert``, listed at /staf/peringatan/) for every active partner user of an
    organisation. Messages carry case numbers and service names only; ``link`` is a path with ids only."""
    return alert_create(recipients=_partner_users(organisation), kind=kind, message=message, link=link)


# --- referrals ---------------------------------------------------------------------------------


def _counted(referral: Referral) -> None:
    """The statistics count referrals and deliveries by their case's office and kelurahan
    (``stats/service_stats.py``, rolled up per month): say which case, so the rollups refresh its months."""
    publish(Event.COUNTED_DATA_CHANGED, case_ids=[referral.case_id])


def referral_create(
    *,
    actor: Any,
    case: Case,
    organisation: Organisation,
    service: str,
    note_to_partner: str = "",
    emergency_override_reason: str = "",
    respond_within_hours: int | None = None,
) -> Referral:
    _require_casework(actor, case)
    if service not in codelists.slugs("service"):
        raise NetworkError("Layanan tidak dikenal.")
    if organisation.kind in (Organisation.Kind.MEDIA, Organisation.Kind.UPTD_PPA) or not organisation.active:
        raise NetworkError("Organisasi ini tidak dapat menerima rujukan kasus.")
    if case.status == "closed":
        raise NetworkError("Kasus sudah ditutup; buka kembali sebelum merujuk.")
    consent = consent_applicable(case=case, organisation=organisation, service=service)
    override = False
    if consent is None:
        if not emergency_override_reason.strip():
            raise NetworkError("Belum ada persetujuan korban untuk rujukan ini.")
        if actor.role != Role.SUPERVISOR:
            raise NetworkError("Rujukan darurat tanpa persetujuan hanya dapat dilakukan supervisor.")
        override = True
    now = timezone.now()
    referral = Referral.objects.create(
        case=case, organisation=organisation, service=service, consent=consent,
        emergency_override=override, override_reason=emergency_override_reason if override else "",
        override_by=actor if override else None, note_to_partner=note_to_partner,
        created_by=actor, created_at=now,
        respond_by=now + dt.timedelta(hours=respond_within_hours or REFERRAL_RESPONSE_HOURS),
    )
    _counted(referral)
    audit_log(actor=actor, action="create", object_type="referral", object_id=referral.pk,
              detail={"case": case.pk, "organisation": organisation.pk, "service": service, "override": override})
    partner_alert(
        organisation=organisation, kind=Alert.Kind.REFERRAL, link=reverse("network:referral", args=[referral.pk]),
        message=f"Rujukan baru dari {case.organisation}: layanan {codelists.label('service', service, 'id')}, "
                f"kasus {case.number}. Mohon tanggapi sebelum {timezone.localtime(referral.respond_by):%d-%m-%Y %H:%M}.",
    )
    return referral


def _alert_case_owner(case: Case, *, kind: str, message: str) -> int:
    """Tell the case manager (or, if none, the office's supervisors). Messages carry no personal data."""
    recipients = [case.case_manager] if case.case_manager else list(
        case.organisation.users.filter(role=Role.SUPERVISOR, is_active=True)
    )
    return alert_create(recipients=recipients, kind=kind, message=message, case=case)


def _require_partner(user: Any, referral: Referral) -> None:
    if user.role != Role.PARTNER or user.organisation_id != referral.organisation_id:
        raise NetworkError("Rujukan ini bukan untuk organisasi Anda.")


def _referral_conclude(
    *, actor: Any, referral: Referral, waiting: str, not_waiting: str, status: str, text_field: str, text: str,
    text_missing: str, stamps: dict[str, Any],
) -> None:
    """A partner's answer that needs words (decline: the reason; complete: the outcome): checked, saved, audited."""
    _require_partner(actor, referral)
    if referral.status != waiting:
        raise NetworkError(not_waiting)
    if not text.strip():
        raise NetworkError(text_missing)
    referral.status = status
    setattr(referral, text_field, text)
    for name, value in stamps.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", text_field, *stamps])
    _counted(referral)
    audit_log(actor=actor, action="update", object_type="referral", object_id=referral.pk, detail={"status": str(status)})


def referral_accept(*, actor: Any, referral: Referral) -> Referral:
    _require_partner(actor, referral)
    if referral.status != Referral.Status.SENT:
        raise NetworkError("Rujukan ini tidak menunggu jawaban.")
    referral.status = Referral.Status.ACCEPTED
    referral.responded_at, referral.responded_by = timezone.now(), actor
    referral.save(update_fields=["status", "responded_at", "responded_by"])
    _counted(referral)
    audit_log(actor=actor, action="update", object_type="referral", object_id=referral.pk, detail={"status": "accepted"})
    return referral


def referral_decline(*, actor: Any, referral: Referral, reason: str) -> Referral:
    _referral_conclude(actor=actor, referral=referral, waiting=Referral.Status.SENT,
                       not_waiting="Rujukan ini tidak menunggu jawaban.",
                       status=Referral.Status.DECLINED, text_field="decline_reason", text=reason,
                       text_missing="Tuliskan alasan menolak rujukan.",
                       stamps={"responded_at": timezone.now(), "responded_by": actor})
    _alert_case_owner(referral.case, kind="decision",
                      message=f"Rujukan kasus {referral.case.number} ke {referral.organisation} ditolak; lihat alasannya.")
    return referral


def service_delivery_record(
    *, actor: Any, referral: Referral, delivered_on: dt.date, kind: str, summary: str, next_steps: str = ""
) -> ServiceDelivery:
    _require_partner(actor, referral)
    if referral.status != Referral.Status.ACCEPTED:
        raise NetworkError("Catat layanan setelah rujukan diterima.")
    if not summary.strip():
        raise NetworkError("Ringkasan layanan wajib diisi.")
    if delivered_on > timezone.localdate():
        raise NetworkError("Tanggal layanan tidak boleh di masa depan.")
    delivery = ServiceDelivery.objects.create(
        referral=referral, delivered_on=delivered_on, kind=kind, summary=summary, next_steps=next_steps,
        recorded_by=actor, recorded_at=timezone.now(),
    )
    _counted(referral)
    audit_log(actor=actor, action="create", object_type="service_delivery", object_id=delivery.pk,
              detail={"referral": referral.pk})
    return delivery


def referral_complete(*, actor: Any, referral: Referral, outcome: str) -> Referral:
    _referral_conclude(actor=actor, referral=referral, waiting=Referral.Status.ACCEPTED,
                       not_waiting="Hanya rujukan yang diterima yang dapat diselesaikan.",
                       status=Referral.Status.COMPLETED, text_field="outcome", text=outcome,
                       text_missing="Tuliskan hasil layanan.", stamps={"completed_at": timezone.now()})
    _alert_case_owner(referral.case, kind="decision",
                      message=f"Rujukan kasus {referral.case.number} ke {referral.organisation} selesai.")
    return referral


def _revoke(referral: Referral, *, actor: Any, reason: str, now: dt.datetime) -> None:
    referral.status = Referral.Status.REVOKED
    referral.revoked_at = now
    referral.revoke_reason = reason
    referral.save(update_fields=["status", "revoked_at", "revoke_reason"])
    _counted(referral)
    audit_log(actor=actor, action="update", object_type="referral", object_id=referral.pk, detail={"status": "revoked"})
    # No link: a revoked referral can no longer be opened by the partner. The reason stays with the office.
    partner_alert(
        organisation=referral.organisation, kind=Alert.Kind.REFERRAL,
        message=f"Rujukan kasus {referral.case.number} (layanan {codelists.label('service', referral.service, 'id')}) "
                "dicabut oleh UPTD PPA. Hentikan layanan dan jangan simpan salinan data kasus ini.",
    )


def referral_revoke(*, actor: Any, referral: Referral, reason: str) -> Referral:
    _require_casework(actor, referral.case)
    if referral.status not in Referral.ACTIVE:
        raise NetworkError("Rujukan ini sudah tidak aktif.")
    if not reason.strip():
        raise NetworkError("Tuliskan alasan pencabutan.")
    _revoke(referral, actor=actor, reason=reason, now=timezone.now())
    return referral


def referrals_remind_overdue(*, now: dt.datetime | None = None) -> list[Referral]:
    """Mark referrals still unanswered after their deadline; returns those newly reminded (idempotent)."""
    now = now or timezone.now()
    overdue = list(Referral.objects.filter(status=Referral.Status.SENT, respond_by__lt=now, reminded_at__isnull=True))
    for referral in overdue:
        referral.reminded_at = now
        referral.save(update_fields=["reminded_at"])
        audit_log(actor="system:referral-reminder", action="update", object_type="referral", object_id=referral.pk,
                  detail={"reminder": "overdue"})
        _alert_case_owner(referral.case, kind="escalation",
                          message=f"Rujukan kasus {referral.case.number} ke {referral.organisation} belum ditanggapi "
                                  "melewati batas waktu.")
    return overdue


# --- repeat-perpetrator links ----------------------------------------------------------------

def _perpetrator_indexes(case: Case) -> dict[str, str]:
    """``{blind index: kind}`` of every identifier of the alleged perpetrators in a case."""
    found: dict[str, str] = {}
    for idx, kind in ReportIdentifier.objects.filter(report__case=case).values_list("value_index", "kind"):
        found[idx] = kind
    perpetrators = Person.objects.filter(case_links__case=case, case_links__role=CasePerson.Role.PERPETRATOR)
    for idx, kind in PersonIdentifier.objects.filter(person__in=perpetrators).values_list("value_index", "kind"):
        found[idx] = kind
    for phone_idx, nik_idx in perpetrators.values_list("phone_index", "nik_index"):
        if phone_idx:
            found[phone_idx] = "phone"
        if nik_idx:
            found[nik_idx] = "nik"
    return found


def _cases_with_indexes(indexes: list[str]) -> dict[int, set[str]]:
    hits: dict[int, set[str]] = {}

    def add(case_id: int | None, idx: str) -> None:
        if case_id is not None:
            hits.setdefault(case_id, set()).add(idx)

    for case_id, idx in ReportIdentifier.objects.filter(value_index__in=indexes, report__case__isnull=False).values_list(
        "report__case", "value_index"
    ):
        add(case_id, idx)
    perp = {"person__case_links__role": CasePerson.Role.PERPETRATOR}
    for case_id, idx in PersonIdentifier.objects.filter(value_index__in=indexes, **perp).values_list(
        "person__case_links__case", "value_index"
    ):
        add(case_id, idx)
    for field in ("phone_index", "nik_index"):
        rows = Person.objects.filter(**{f"{field}__in": indexes}, case_links__role=CasePerson.Role.PERPETRATOR)
        for case_id, idx in rows.values_list("case_links__case", field):
            add(case_id, idx)
    return hits


def perpetrator_links_scan(*, case: Case) -> list[PerpetratorLink]:
    """Find other cases sharing a perpetrator identifier with ``case``; record new links. Returns new links."""
    indexes = _perpetrator_indexes(case)
    if not indexes:
        return []
    new_links = []
    now = timezone.now()
    for other_id, shared in _cases_with_indexes(list(indexes)).items():
        if other_id == case.pk:
            continue
        a, b = sorted((case.pk, other_id))
        kinds = sorted({indexes[i] for i in shared})
        link, created = PerpetratorLink.objects.get_or_create(case_a_id=a, case_b_id=b, defaults={"kinds": kinds, "found_at": now})
        if created:
            new_links.append(link)
            audit_log(actor="system:perpetrator-links", action="create", object_type="perpetrator_link",
                      object_id=link.pk, detail={"cases": [a, b], "kinds": kinds})
        elif set(kinds) - set(link.kinds):
            link.kinds = sorted(set(kinds) | set(link.kinds))
            link.save(update_fields=["kinds"])
    return new_links


def perpetrator_links_schedule(*, case_ids: set[int]) -> None:
    """Scan these cases for repeat-perpetrator links once the transaction commits (a rolled-back
    transaction scans nothing). Handler of ``Event.PERPETRATOR_CHANGED``, which ``cases.services``
    publishes once per service call; a scan finds only new links, so scanning twice is harmless."""
    if not case_ids:
        return
    wanted = set(case_ids)

    def run() -> None:
        for case in Case.objects.filter(pk__in=wanted):
            perpetrator_links_alert(links=perpetrator_links_scan(case=case))

    transaction.on_commit(run)


def perpetrator_links_alert(*, links: list[PerpetratorLink]) -> int:
    """Tell the case managers of both cases (or the supervisors when a case has none) — numbers only."""
    written = 0
    for link in links:
        for own, other in ((link.case_a, link.case_b), (link.case_b, link.case_a)):
            manager = other.case_manager
            who = (manager.get_full_name() or manager.get_username()) if manager else "belum ditetapkan"
            recipients = [own.case_manager] if own.case_manager else list(
                own.organisation.users.filter(role=Role.SUPERVISOR, is_active=True)
            )
            written += alert_create(
                recipients=recipients, kind="perpetrator_link", case=own,
                message=f"Terduga pelaku di kasus {own.number} juga tercatat di kasus {other.number} "
                        f"(manajer kasus: {who}). Koordinasikan.",
            )
    return written


# --- case conferences ----------------------------------------------------------------------------

def conference_default_agenda(*, organisation: Organisation) -> list[Case]:
    """Open high-risk cases of the office, oldest first: the default agenda."""
    return list(
        Case.objects.filter(organisation=organisation, risk_level="high").exclude(status="closed").order_by("reported_at")
    )


def conference_schedule(
    *,
    actor: Any,
    title: str,
    scheduled_at: dt.datetime,
    place: str,
    organisations: list[Organisation],
    cases: list[Case] | None = None,
) -> Any:
    if not actor.is_lead_agency_staff:
        raise NetworkError("Hanya staf UPTD PPA yang dapat menjadwalkan rapat koordinasi.")
    if not title.strip():
        raise NetworkError("Judul rapat wajib diisi.")
    agenda = conference_default_agenda(organisation=actor.organisation) if cases is None else cases
    if any(c.organisation_id != actor.organisation_id for c in agenda):
        raise NetworkError("Agenda hanya boleh berisi kasus unit Anda.")
    with transaction.atomic():
        conference = CaseConference.objects.create(
            title=title.strip(), scheduled_at=scheduled_at, place=place or "Rumah Kolaborasi Saling Sapa",
            organisation=actor.organisation, organiser=actor, created_at=timezone.now(),
        )
        invited = {actor.organisation_id: actor.organisation, **{o.pk: o for o in organisations}}
        for org in invited.values():
            ConferenceInvite.objects.create(conference=conference, organisation=org)
        for order, case in enumerate(agenda):
            ConferenceItem.objects.create(conference=conference, case=case, order=order)
        audit_log(actor=actor, action="create", object_type="conference", object_id=conference.pk,
                  detail={"cases": [c.pk for c in agenda], "organisations": sorted(invited)})
        when = timezone.localtime(scheduled_at)
        for org in invited.values():
            if org.pk != actor.organisation_id:
                partner_alert(
                    organisation=org, kind=Alert.Kind.CONFERENCE, link=reverse("network:conference", args=[conference.pk]),
                    message=f"Undangan rapat koordinasi kasus dari {actor.organisation}: {when:%d-%m-%Y %H:%M}, "
                            f"{conference.place}.",
                )
    return conference


def conference_attendance_record(*, actor: Any, conference: Any, attended: dict[int, str]) -> bool:
    """``attended``: organisation id → names present. Invited organisations not listed were absent.

    The conference is marked held only once its time has come; attendance saved before then (e.g. who
    confirmed) leaves it scheduled. Returns whether the conference is now held."""
    if not (actor.is_lead_agency_staff and conference.organisation_id == actor.organisation_id):
        raise NetworkError("Anda tidak berwenang atas rapat ini.")
    with transaction.atomic():
        for invite in conference.invites.all():
            invite.attended = invite.organisation_id in attended
            invite.attendees = attended.get(invite.organisation_id, "")
            invite.save(update_fields=["attended", "attendees"])
        held = conference.scheduled_at <= timezone.now()
        if held and conference.status == "scheduled":
            conference.status = "held"
            conference.save(update_fields=["status"])
    audit_log(actor=actor, action="update", object_type="conference", object_id=conference.pk,
              detail={"attended": sorted(attended), "held": held})
    return held


def conference_item_discuss(*, actor: Any, item: Any, discussion: str) -> None:
    if not (actor.is_lead_agency_staff and item.conference.organisation_id == actor.organisation_id):
        raise NetworkError("Anda tidak berwenang atas rapat ini.")
    item.discussion = discussion
    item.save(update_fields=["discussion"])
    audit_log(actor=actor, action="update", object_type="conference_item", object_id=item.pk, detail={"case": item.case_id})


def conference_action_add(*, actor: Any, item: Any, description: str, owner: Any, due_at: dt.datetime) -> Any:
    """Record an agreed action and make it a task in the case (owner: staff of the office)."""

    if not (actor.is_lead_agency_staff and item.conference.organisation_id == actor.organisation_id):
        raise NetworkError("Anda tidak berwenang atas rapat ini.")
    if not description.strip():
        raise NetworkError("Tuliskan tindak lanjutnya.")
    with transaction.atomic():
        try:
            task = task_create(actor=actor, case=item.case, assigned_to=owner, due_at=due_at,
                               title=f"[Rapat koordinasi {timezone.localtime(item.conference.scheduled_at):%d-%m-%Y}] "
                                     f"{description.strip()}")
        except CaseError as exc:
            raise NetworkError(str(exc)) from None
        action = ConferenceAction.objects.create(item=item, description=description.strip(), owner=owner, due_at=due_at,
                                                 task=task, created_at=timezone.now())
    audit_log(actor=actor, action="create", object_type="conference_action", object_id=action.pk,
              detail={"case": item.case_id, "task": task.pk})
    return action


# --- evidence ------------------------------------------------------------------------------------

def evidence_hide(*, actor: Any, evidence: Evidence, reason: str) -> Evidence:
    """Hide an evidence file (fetched with ``access_evidence``): it is never deleted, but is no longer shown
    inline nor to any partner. Lead-agency staff only; the reason is required, sealed and audited."""
    if not actor.is_lead_agency_staff:
        raise NetworkError("Hanya staf UPTD PPA yang dapat menyembunyikan bukti.")
    if not reason.strip():
        raise NetworkError("Tuliskan alasan menyembunyikan bukti ini.")
    with transaction.atomic():
        if not Evidence.objects.filter(pk=evidence.pk, hidden_at__isnull=True).update(
            hidden_at=timezone.now(), hidden_by=actor, hidden_reason=reason.strip()
        ):
            raise NetworkError("Bukti ini sudah disembunyikan.")
        evidence.refresh_from_db()
        audit_log(actor=actor, action="update", object_type="evidence", object_id=evidence.pk,
                  detail={"event": "hidden", "report": evidence.report_id})
        case = evidence.report.case
        if case is not None:
            CaseEvent.objects.create(case=case, at=timezone.now(), actor=actor, kind=CaseEvent.Kind.DOCUMENT,
                                     params={"what": "evidence_hidden", "evidence": evidence.pk}, reason=reason.strip())
    return evidence
