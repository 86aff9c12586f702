"""Authorisation matrix: every role × every page and API endpoint, allowed or denied.

The URL list is read from the URL resolver, so a new endpoint that is not classified here fails
``test_every_endpoint_is_classified``. Denied means 401/403/404, or a redirect to a sign-in page;
allowed means 200 (or a redirect elsewhere). Cross-organisation guesses answer 404 and are audited.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from salingsapa.awareness import services as awareness
from salingsapa.cases import services as case_services
from salingsapa.core.models import AuditEvent, Region
from salingsapa.network import services as net
from salingsapa.outreach import services as outreach_services
from salingsapa.stats import services as stats_services
from tests.casework_helpers import make_report, verified_client
from tests.fieldwork_helpers import make_visit as field_visit_make
from tests.outreach_helpers import make_visit

pytestmark = pytest.mark.django_db

LEAD = {"intake_officer", "case_manager", "supervisor", "counsellor"}
PARTNERS = {"partner_psychologist", "partner_lawyer", "partner_health", "police_officer"}
SIGNED_IN = LEAD | PARTNERS | {"media_partner", "administrator"}
ROLES = ["anonymous", *sorted(SIGNED_IN)]
EVERYONE = set(ROLES)

# name → roles allowed to GET it. Object pages use the fixture objects below (a case of our office,
# referred to the psychology partner, on the agenda of a conference the psychology partner is invited to).
GET_MATRIX: dict[str, set[str]] = {
    "healthz": EVERYONE,
    "home": EVERYONE,
    "public_report_start": EVERYONE,
    "public_report_emergency": EVERYONE,
    "public_followup": EVERYONE,
    "public_directory": EVERYONE,
    "public_statistics": EVERYONE,
    "api-v1:openapi-json": EVERYONE,
    "api-v1:api_health": EVERYONE,
    "api-v1:public": EVERYONE,
    "staff:dashboard": SIGNED_IN,
    "staff:alerts": SIGNED_IN,
    "staff:recovery_codes": SIGNED_IN,
    "staff:queue": LEAD,
    "staff:intake_new": LEAD,
    "staff:report": LEAD,
    "staff:cases": LEAD,
    "staff:my_cases": LEAD,
    "staff:case": LEAD,
    "staff:risk_assessment": LEAD,
    "staff:service_plan": LEAD,
    "staff:case_document": LEAD,
    "staff:incident_edit": LEAD,
    "staff:person_add": LEAD,
    "staff:person_edit": LEAD,
    "staff:supervisor": {"supervisor"},
    "staff:second_factor_reset": {"supervisor"},
    "network:case_referrals": LEAD,
    "network:referrals": LEAD | PARTNERS,
    "network:referral": LEAD | {"partner_psychologist"},
    "network:referral_letter": LEAD,
    "network:directory": LEAD | PARTNERS | {"administrator"},
    "network:perpetrator_alerts": LEAD,
    "network:conferences": LEAD | PARTNERS,
    "network:conference": LEAD | {"partner_psychologist"},
    "network:conference_minutes": LEAD | {"partner_psychologist"},
    # The psychology package carries no evidence files (network/packages.py); see test_evidence_review.
    "network:evidence_view": LEAD,
    "network:evidence_download": LEAD,
    "stats:dashboard": LEAD,
    "stats:snapshots": LEAD,
    "stats:snapshot": LEAD,
    "stats:report_pdf": LEAD,
    "stats:exports": {"supervisor"},
    "stats:export_job": {"supervisor"},
    "field:home": SIGNED_IN,  # lists only the visits one may record on (none for most partners)
    "field:key": SIGNED_IN,
    "field:visit": LEAD,  # a visit whose team holds no partner
    "field:visit_sessions": LEAD,
    "field:stats": LEAD,
    "outreach_schedule": EVERYONE,
    "outreach_poster": EVERYONE,
    "outreach_book": EVERYONE,
    "outreach_ask": EVERYONE,
    "outreach_manage": EVERYONE,
    "api-v1:visits_list": EVERYONE,
    "outreach:index": LEAD | PARTNERS,
    "outreach:visit_new": {"case_manager", "supervisor"},
    "outreach:visit_edit": {"case_manager", "supervisor"},  # not the psychologist on its team
    # a visit the psychology partner is on the team of, and a booking (with contact) of their slot
    "outreach:visit": {"case_manager", "supervisor", "partner_psychologist"},
    "outreach:booking": {"case_manager", "supervisor", "partner_psychologist"},
    "staff_outbound:list": {"supervisor", "administrator"},
    "staff_outbound:preferences": SIGNED_IN,
    "public_articles": EVERYONE,
    "public_article": EVERYONE,
    "public_article_image": EVERYONE,
    "awareness:events": LEAD,
    "awareness:event_new": LEAD,
    "awareness:event": LEAD,
    "awareness:event_edit": LEAD,
    "awareness:event_print": LEAD,
    "awareness:material": LEAD,
    "awareness:articles": LEAD,
    "awareness:article_new": LEAD,
    "awareness:article": LEAD,
    "awareness:article_edit": LEAD,
    "awareness:article_image": LEAD,
    "awareness:planning": LEAD | PARTNERS,
    "admin:index": {"administrator"},
    "admin:accounts_organisation_changelist": {"administrator"},
    "admin:core_region_changelist": {"administrator"},
    "admin:core_auditevent_changelist": {"administrator"},
}

# name → roles that may POST (others must be denied). Actions use a harmless unknown action slug
# for the denial check; what allowed roles can do is covered by each feature's own tests.
POST_MATRIX: dict[str, set[str]] = {
    "staff:report_action": LEAD,
    "staff:case_action": LEAD,
    "network:case_referrals_action": LEAD,
    "network:referral_action": LEAD | {"partner_psychologist"},
    "network:conference_action": LEAD | {"partner_psychologist"},
    "network:evidence_hide": LEAD,
    "stats:snapshot_approve": {"supervisor"},
    "field:sync": SIGNED_IN,  # each entry is then checked against its visit (test_fieldwork_sessions)
    "outreach:visit_action": {"case_manager", "supervisor"},
    "outreach:booking_action": {"case_manager", "supervisor", "partner_psychologist"},
    "staff_outbound:report_do_not_contact": LEAD,
    "awareness:material_delete": LEAD,
    "awareness:article_action": LEAD,
}

# Endpoints outside the role matrix, with the reason (each is tested in its own module).
NOT_IN_MATRIX = {
    "set_language": "language switch, no data (Django i18n)",
    "staff:login": "sign-in flow (test_staff_auth)",
    "staff:login_verify": "sign-in flow (test_staff_auth)",
    "staff:login_enrol": "sign-in flow (test_staff_auth)",
    "staff:logout": "sign-out (test_staff_auth)",
    "public_report_summary": "public draft pages, session-bound (test_public_report)",
    "public_report_done": "public receipt, session-bound (test_public_report)",
    "public_report_evidence": "public draft step (test_evidence)",
    "public_report_step": "public draft step (test_public_report)",
    "public_followup_message": "codename session (test_codename_followup)",
    "public_followup_files": "codename session (test_codename_followup)",
    "public_followup_logout": "codename session (test_codename_followup)",
    "public_leave": "quick exit (test_public_report)",
    "whatsapp_webhook": "Meta's signed webhook, no user session: signature and token (test_whatsapp_webhook)",
    "api-v1:reports_create": "public POST endpoint (test_api_reports)",
    "api-v1:api-root": "API index",
    "api-v1:summary": "bearer token of a partner system only (test_summary_api_refuses_session_users, test_stats_api)",
    "stats:export_download": "one-time token bound to the exporting session (test_exports)",
    "field:service_worker": "the field app's service worker script: no data (test_fieldwork_sessions)",
    "field:manifest": "the field app's web-app manifest: no data (test_fieldwork_sessions)",
    "outreach_done": "public booking receipt, session-bound (test_outreach_public)",
    "outreach_manage_cancel": "codename session (test_outreach_public)",
    "outreach_manage_move": "codename session (test_outreach_public)",
    "outreach_manage_logout": "codename session (test_outreach_public)",
    "api-v1:bookings_create": "public POST endpoint (test_outreach_api)",
    "api-v1:requests_create": "public POST endpoint (test_outreach_api)",
    "api-v1:bookings_cancel": "reference + codename (test_outreach_api)",
    "api-v1:bookings_move": "reference + codename (test_outreach_api)",
}


def _named_patterns() -> dict[str, str]:
    names: dict[str, str] = {}

    def walk(patterns, prefix: str, ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                child_ns = f"{ns}:{p.namespace}".strip(":") if p.namespace else ns
                walk(p.url_patterns, prefix + str(p.pattern), child_ns)
            elif isinstance(p, URLPattern) and p.name:
                names[f"{ns}:{p.name}".strip(":")] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_endpoint_is_classified():
    names = {n for n in _named_patterns() if not n.startswith("admin:")}
    classified = set(GET_MATRIX) | set(POST_MATRIX) | set(NOT_IN_MATRIX)
    assert names - classified == set(), "classify these endpoints in the authorisation matrix"


@pytest.fixture
def world(request, uptd, case_manager, supervisor, psychology_org):
    """One case of our office, referred (with consent) to the psychology partner and on a conference agenda."""
    users = {role: request.getfixturevalue(role) for role in sorted(SIGNED_IN)}
    report = make_report(contact_name="Rahasia Korban", violence_forms=["seksual"])
    from salingsapa.intake.evidence import evidence_prepare
    from salingsapa.intake.services import report_evidence_add
    from tests.test_evidence import jpeg_with_gps

    evidence = report_evidence_add(report=report, evidence=evidence_prepare(data=jpeg_with_gps(), filename="x.jpg"))
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)
    case.risk_level = "high"
    case.save(update_fields=["risk_level"])
    victim = case.participants.get(role="victim")
    net.consent_record(actor=case_manager, case=case, victim=victim.person, given_by="victim", services=["psikologis"],
                       recipient_organisation=psychology_org)
    referral = net.referral_create(actor=case_manager, case=case, organisation=psychology_org, service="psikologis")
    conference = net.conference_schedule(actor=case_manager, title="Rapat", scheduled_at=timezone.now() + dt.timedelta(days=1),
                                         place="Rumah Kolaborasi", organisations=[psychology_org])
    document = case_services.case_document_add(actor=case_manager, case=case, data=b"%PDF-1.4\n%%EOF\n",
                                               filename="surat.pdf", content_type="application/pdf")
    snapshot = stats_services.snapshot_prepare(user=case_manager, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
    stats_services.snapshot_approve(user=supervisor, snapshot=snapshot)
    from salingsapa.stats.engine import StatsFilter
    from salingsapa.stats.jobs import export_job_create

    export = export_job_create(user=supervisor, kind="research", fmt="csv",
                               flt=StatsFilter(start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31)))
    field_visit = field_visit_make()  # a visit whose team holds no partner
    visit = make_visit(case_manager, [users["partner_psychologist"]])
    booking = outreach_services.booking_create(visit_id=visit.pk, data={"anonymous": False, "contact": {
        "name": "Kontak Janji", "phone": "081234567890", "preferred_channel": "sms"}}).booking
    event = awareness.event_create(
        actor=case_manager, materials=[(jpeg_with_gps(), "foto.jpg")],
        data={"title": "Sosialisasi", "topic": "other", "audiences": ["parents"], "held_on": dt.date(2025, 3, 1),
              "venue": "Balai", "kelurahan": case.kelurahan or Region.objects.filter(level=4).first(), "notes": "",
              "female_child": 0, "male_child": 0, "female_adult": 3, "male_adult": 2, "female_older": 0,
              "male_older": 0, "participants_total": 5})
    article = awareness.article_create(actor=case_manager, data={
        "slug": "hak-korban", "title_id": "Hak korban", "summary_id": "Ringkas", "body_id": "Isi", "order": 1})
    image = awareness.article_image_add(actor=case_manager, article=article, data=jpeg_with_gps(), alt_id="Poster")
    awareness.article_submit(actor=case_manager, article=article)
    awareness.article_publish(actor=supervisor, article=article)
    kwargs = {
        "visit_id": visit.pk, "pk": None, "case_pk": case.pk, "document_pk": document.pk, "incident_pk": case.incidents.first().pk,
        "case_person_pk": victim.pk, "action": "tidak-ada", "token": "x",
        "material_pk": event.materials.get().pk, "image_pk": image.pk, "slug": article.slug,
    }
    object_for = {
        "staff:report": report.pk, "staff:report_action": report.pk, "staff_outbound:report_do_not_contact": report.pk,
        "network:referral": referral.pk, "network:referral_letter": referral.pk, "network:referral_action": referral.pk,
        "network:conference": conference.pk, "network:conference_minutes": conference.pk,
        "network:conference_action": conference.pk,
        "network:evidence_view": evidence.pk, "network:evidence_download": evidence.pk,
        "network:evidence_hide": evidence.pk,
        "outreach:visit": visit.pk, "outreach:visit_action": visit.pk, "outreach:visit_edit": visit.pk,
        "outreach:booking": booking.pk, "outreach:booking_action": booking.pk,
        "stats:snapshot": snapshot.pk, "stats:snapshot_approve": snapshot.pk, "stats:export_job": export.pk,
        "field:visit": field_visit.pk, "field:visit_sessions": field_visit.pk,
        **dict.fromkeys(["awareness:event", "awareness:event_edit", "awareness:event_print", "awareness:material",
                         "awareness:material_delete"], event.pk),
        **dict.fromkeys(["awareness:article", "awareness:article_edit", "awareness:article_action",
                         "awareness:article_image"], article.pk),
        "public_article_image": image.pk,
    }
    return {"users": users, "case": case, "kwargs": kwargs, "object_for": object_for}


def _url(name: str, pattern: str, world) -> str:
    pk = world["object_for"].get(name, world["case"].pk)

    def fill(m: re.Match) -> str:
        param = m.group(2)
        value = pk if param == "pk" else world["kwargs"][param]
        return str(value)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, pattern).replace("^", "").replace("$", "")


def _client(role: str, world) -> Client:
    if role == "anonymous":
        return Client()
    user = world["users"][role]
    if role == "administrator":
        client = verified_client(user)  # also signed in for the Django admin
        return client
    return verified_client(user)


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        return "/masuk/" in response["Location"] or "/admin/login/" in response["Location"]
    return False


def _admin_urls() -> dict[str, str]:
    from django.urls import reverse

    return {name: reverse(name) for name in GET_MATRIX if name.startswith("admin:")}


def test_get_matrix(world):
    patterns = _named_patterns()
    admin_urls = _admin_urls()
    failures = []
    for role in ROLES:
        client = _client(role, world)
        for name, allowed in GET_MATRIX.items():
            url = admin_urls.get(name) or _url(name, patterns[name], world)
            response = client.get(url)
            expected_allowed = role in allowed
            if response.status_code >= 500:
                failures.append(f"{role} GET {url}: {response.status_code}")
            elif expected_allowed and _denied(response):
                failures.append(f"{role} GET {url}: denied ({response.status_code}) but should be allowed")
            elif not expected_allowed and not _denied(response):
                failures.append(f"{role} GET {url}: allowed ({response.status_code}) but should be denied")
    assert failures == []


def test_post_matrix_denies_everyone_else(world):
    patterns = _named_patterns()
    failures = []
    for role in ROLES:
        client = _client(role, world)
        for name, allowed in POST_MATRIX.items():
            if role in allowed:
                continue
            url = _url(name, patterns[name], world)
            response = client.post(url, {"reason": "x"})
            if not _denied(response):
                failures.append(f"{role} POST {url}: {response.status_code} but should be denied")
    assert failures == []


def test_summary_api_refuses_session_users(world):
    for role in ROLES:
        response = _client(role, world).get("/api/v1/stats/summary?start=2025-01-01&end=2025-10-31")
        assert response.status_code == 401, role


def test_cross_organisation_guesses_answer_404_and_are_audited(world, outsider):
    client = verified_client(outsider)
    case = world["case"]
    referral_id = world["object_for"]["network:referral"]
    for url, object_type in [
        (f"/staf/kasus/{case.pk}/", "case"),
        (f"/staf/jejaring/rujukan/{referral_id}/", "referral"),
        (f"/staf/pengaduan/{world['object_for']['staff:report']}/", "report"),
    ]:
        assert client.get(url).status_code == 404, url
        assert AuditEvent.objects.filter(actor=outsider, action="denied", object_type=object_type).exists(), url
    lawyer = world["users"]["partner_lawyer"]
    assert verified_client(lawyer).get(f"/staf/jejaring/rujukan/{referral_id}/").status_code == 404
    assert AuditEvent.objects.filter(actor=lawyer, action="denied", object_type="referral").exists()


def test_no_page_leaks_the_victim_name_to_roles_that_must_not_see_it(world):
    patterns = _named_patterns()
    for role in ["anonymous", "media_partner", "administrator", *sorted(PARTNERS)]:
        client = _client(role, world)
        for name in GET_MATRIX:
            if name.startswith("admin:"):
                continue
            response = client.get(_url(name, patterns[name], world))
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                assert "Rahasia Korban" not in response.content.decode(), f"{role} sees the victim's name on {name}"
