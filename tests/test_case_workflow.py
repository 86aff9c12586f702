"""From a report to an approved closure: opening, workflow, plan approval, notes, tasks, closure, queue actions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from salingsapa.cases import services
from salingsapa.cases.models import (
    Alert,
    Case,
    CaseDocument,
    CaseEvent,
    CasePerson,
    CaseStatus,
    ClosureRequest,
    Deadline,
    ServicePlan,
    Task,
)
from salingsapa.cases.services import CaseError, InvalidTransition, NotPermitted
from salingsapa.core.models import AuditEvent
from salingsapa.intake.models import Report, ReportMessage
from tests.casework_helpers import kelurahan, make_report, verified_client

HIGH_ANSWERS = {"threats_to_kill": True, "strangulation": True}


def _open(actor, **report_fields) -> Case:
    report = make_report(**report_fields)
    return services.case_open(actor=actor, report=report)


def test_case_open_from_report_builds_the_record(intake_officer, case_manager):
    report = make_report(
        kelurahan=kelurahan(), violence_forms=["fisik", "seksual"], tpks_forms=["perkosaan"], reporter_role="family",
        contact_name="Ibu Pelapor", contact_phone="0812-3456-7890", identifiers=[("phone", "0813 1111 2222")],
        relationship="suami-istri", incident_date=dt.date(2026, 1, 5),
    )
    case = services.case_open(actor=intake_officer, report=report, case_manager=case_manager)

    assert re.fullmatch(r"SRG-\d{4}-\d{4}", case.number)
    assert case.status == CaseStatus.NEW and case.case_manager == case_manager
    assert case.reported_at == report.received_at
    roles = sorted(case.participants.values_list("role", flat=True))
    assert roles == ["perpetrator", "reporter", "victim"]
    perpetrator = case.participants.get(role="perpetrator").person
    assert perpetrator.phone == "+6281311112222" and perpetrator.phone_index
    incident = case.incidents.get()
    assert sorted(incident.violence_forms.values_list("slug", flat=True)) == ["fisik", "seksual"]
    assert list(incident.tpks_forms.values_list("slug", flat=True)) == ["perkosaan"]
    assert incident.description == report.narrative
    report.refresh_from_db()
    assert report.status == Report.Status.CASE_OPENED and report.case == case
    assert Deadline.objects.get(report=report, kind="first_contact").case == case
    assert case.events.filter(kind=CaseEvent.Kind.OPENED).exists()
    assert AuditEvent.objects.filter(action="create", object_type="case", object_id=str(case.pk)).exists()
    assert Alert.objects.filter(recipient=case_manager, case=case, kind="assigned").exists()
    with pytest.raises(CaseError):
        services.case_open(actor=intake_officer, report=report)


def test_case_page_shows_a_perpetrators_phone_once(intake_officer, case_manager):
    """The report's phone of the perpetrator is kept as the person's phone and as an identifier (for repeat links);
    the case page shows it once, labelled, beside the other identifiers; the page read is audited as before."""
    report = make_report(reporter_role="family", relationship="pacar-teman", contact_phone="0812-3456-7890",
                         identifiers=[("phone", "0813 1111 2222"), ("instagram", "@pelaku.uji"), ("nik", "3673010101900001")])
    case = services.case_open(actor=intake_officer, report=report, case_manager=case_manager)
    perpetrator = case.participants.get(role="perpetrator").person
    assert perpetrator.identifiers.count() == 3  # the stored identifiers are unchanged

    page = verified_client(case_manager).get(f"/staf/kasus/{case.pk}/").content.decode()
    assert page.count("+6281311112222") == 1
    assert page.count("3673010101900001") == 1
    assert "Nomor telepon: +6281311112222" in page and "Instagram: pelaku.uji" in page
    assert AuditEvent.objects.filter(action="read", object_type="case", object_id=str(case.pk),
                                     actor_label=case_manager.username).count() == 1


def test_case_numbers_are_consecutive(intake_officer):
    first = _open(intake_officer)
    second = _open(intake_officer)
    assert second.sequence == first.sequence + 1


def test_full_workflow_to_approved_closure(case_manager, supervisor):
    case = _open(case_manager)
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=case.version)
    with pytest.raises(InvalidTransition, match="asesmen risiko"):
        services.case_transition(actor=case_manager, case=case, to_status="planning", expected_version=case.version)
    services.risk_assessment_record(actor=case_manager, case=case, answers=HIGH_ANSWERS, expected_version=case.version)
    assert case.risk_level == "high"
    services.case_transition(actor=case_manager, case=case, to_status="planning", expected_version=case.version)
    plan = services.service_plan_submit(actor=case_manager, case=case, goals="Rumah aman; visum; pendampingan hukum",
                                        services=["rumah-aman", "kesehatan"], expected_version=case.version)
    assert plan.status == ServicePlan.Status.PENDING and plan.needs_approval
    assert Alert.objects.filter(recipient=supervisor, kind="approval", case=case).exists()
    with pytest.raises(InvalidTransition, match="disetujui"):
        services.case_transition(actor=case_manager, case=case, to_status="in_service", expected_version=case.version)
    with pytest.raises(NotPermitted):
        services.service_plan_approve(actor=case_manager, plan=plan)
    services.service_plan_approve(actor=supervisor, plan=plan)
    plan.refresh_from_db()
    assert plan.status == ServicePlan.Status.APPROVED and plan.decided_by == supervisor
    case.refresh_from_db()
    services.case_transition(actor=case_manager, case=case, to_status="in_service", expected_version=case.version)

    services.case_note_add(actor=case_manager, case=case, kind="counselling", body="Sesi pertama berjalan baik.")
    task = services.task_create(actor=case_manager, case=case, title="Antar visum", assigned_to=case_manager,
                                due_at=timezone.now() + dt.timedelta(days=1))
    services.task_complete(actor=case_manager, task=task)
    open_task = services.task_create(actor=case_manager, case=case, title="Kunjungan lanjutan", assigned_to=case_manager,
                                     due_at=timezone.now() + dt.timedelta(days=7))
    services.case_transition(actor=case_manager, case=case, to_status="monitoring", expected_version=case.version)

    with pytest.raises(CaseError, match="alasan"):
        services.case_close_request(actor=case_manager, case=case, reason="  ", expected_version=case.version)
    closure = services.case_close_request(actor=case_manager, case=case, reason="Tujuan layanan tercapai.",
                                          expected_version=case.version)
    assert case.status == CaseStatus.MONITORING  # not closed until approved
    with pytest.raises(NotPermitted):
        services.case_close_approve(actor=case_manager, closure=closure)
    services.case_close_approve(actor=supervisor, closure=closure)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.closure_reason == "Tujuan layanan tercapai."
    assert ClosureRequest.objects.get(pk=closure.pk).status == "approved"
    open_task.refresh_from_db()
    assert open_task.status == Task.Status.CANCELLED
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"opened", "status", "risk", "plan", "note", "task", "closure"} <= kinds
    assert AuditEvent.objects.filter(object_type="closure_request", action="update").exists()

    with pytest.raises(CaseError, match="alasan"):
        services.case_reopen(actor=case_manager, case=case, reason="", expected_version=case.version)
    services.case_reopen(actor=case_manager, case=case, reason="Korban melapor kekerasan baru.",
                         expected_version=case.version)
    assert case.status == CaseStatus.ASSESSMENT and case.closed_at is None
    assert case.events.filter(kind="reopened").get().reason == "Korban melapor kekerasan baru."


def test_closed_cannot_be_reached_by_a_plain_transition(case_manager):
    case = _open(case_manager)
    with pytest.raises(InvalidTransition, match="persetujuan supervisor"):
        services.case_transition(actor=case_manager, case=case, to_status="closed", expected_version=case.version)


def test_low_risk_plan_needs_no_approval(case_manager):
    case = _open(case_manager)
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=case.version)
    services.risk_assessment_record(actor=case_manager, case=case, answers={}, expected_version=case.version)
    services.case_transition(actor=case_manager, case=case, to_status="planning", expected_version=case.version)
    plan = services.service_plan_submit(actor=case_manager, case=case, goals="Konseling", services=["psikologis"],
                                        expected_version=case.version)
    assert plan.status == ServicePlan.Status.APPROVED and not plan.needs_approval
    services.case_transition(actor=case_manager, case=case, to_status="in_service", expected_version=case.version)
    assert case.status == CaseStatus.IN_SERVICE


def test_supervisor_cannot_approve_own_closure(supervisor, case_manager):
    case = _open(case_manager)
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=case.version)
    closure = services.case_close_request(actor=supervisor, case=case, reason="Korban pindah kota.",
                                          expected_version=case.version)
    with pytest.raises(NotPermitted, match="supervisor lain"):
        services.case_close_approve(actor=supervisor, closure=closure)


def test_rejected_closure_keeps_case_open_and_needs_a_reason(case_manager, supervisor):
    case = _open(case_manager)
    services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=case.version)
    closure = services.case_close_request(actor=case_manager, case=case, reason="Selesai", expected_version=case.version)
    with pytest.raises(CaseError, match="penolakan"):
        services.case_close_approve(actor=supervisor, closure=closure, approve=False, note="")
    services.case_close_approve(actor=supervisor, closure=closure, approve=False, note="Visum belum selesai.")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_partner_cannot_work_on_cases(partner_psychologist, case_manager):
    case = _open(case_manager)
    with pytest.raises(NotPermitted):
        services.case_note_add(actor=partner_psychologist, case=case, kind="other", body="x")


# --- through the staff pages ---------------------------------------------------------------------


def test_staff_intake_form_creates_an_encrypted_phone_report(intake_officer):
    client = verified_client(intake_officer)
    response = client.post("/staf/pengaduan/baru/", {
        "channel": "phone", "reporter_role": "family", "narrative": "Anak dipukul ayahnya setiap malam.",
        "violence_forms": ["fisik"], "victim_sex": "male", "victim_age_group": "6-12", "kelurahan": "36.73.01.1002",
        "contact_phone": "0812 9999 0000", "risk_level": "high", "perpetrator_kind_1": "nik",
        "perpetrator_value_1": "3673010101010001",
    })
    assert response.status_code == 200 and "Kode rahasia untuk pelapor" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    report = Report.objects.get()
    assert report.channel == "phone" and report.victim_is_child and report.created_by == intake_officer
    assert report.identifiers.get().kind == "nik"
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM intake_report WHERE id = %s", [report.pk])
        raw = cursor.fetchone()[0]
    assert "dipukul" not in raw and raw.startswith("s1:")
    deadline = Deadline.objects.get(report=report)
    assert deadline.risk_level == "high"
    assert deadline.due_at - report.received_at == dt.timedelta(hours=1)


def test_staff_intake_form_shows_errors_beside_fields(intake_officer):
    client = verified_client(intake_officer)
    response = client.post("/staf/pengaduan/baru/", {"channel": "phone", "contact_phone": "abc",
                                                   "incident_date": "2999-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nomor telepon tidak" in body and "masa depan" in body
    assert Report.objects.count() == 0


def test_queue_orders_emergencies_then_high_risk_then_oldest(intake_officer):
    now = timezone.now()
    oldest = make_report(received_at=now - dt.timedelta(days=3))
    newer = make_report(received_at=now - dt.timedelta(days=1))
    high = make_report(received_at=now - dt.timedelta(hours=2), risk_level="high")
    emergency = make_report(received_at=now - dt.timedelta(minutes=5), is_emergency=True)
    make_report(status=Report.Status.NOT_VIOLENCE)
    client = verified_client(intake_officer)
    body = client.get("/staf/pengaduan/").content.decode()
    order = re.findall(r'data-reference="([^"]+)"', body)
    assert order == [emergency.reference, high.reference, oldest.reference, newer.reference]
    assert "sisa" in body or "terlambat" in body  # the deadline clock is shown


def test_queue_actions_not_violence_refer_out_and_reply(intake_officer):
    client = verified_client(intake_officer)
    a, b, c = make_report(), make_report(), make_report()
    response = client.post(f"/staf/pengaduan/{a.pk}/aksi/bukan-kekerasan/", {"reason": ""})
    assert response.status_code == 400
    client.post(f"/staf/pengaduan/{a.pk}/aksi/bukan-kekerasan/", {"reason": "Sengketa utang piutang."})
    a.refresh_from_db()
    assert a.status == "not_violence" and a.status_reason == "Sengketa utang piutang."
    client.post(f"/staf/pengaduan/{b.pk}/aksi/rujuk-keluar/", {"destination": "UPTD PPA Kabupaten Serang"})
    b.refresh_from_db()
    assert b.status == "referred_out" and "Kabupaten Serang" in b.status_reason
    client.post(f"/staf/pengaduan/{c.pk}/aksi/balas/", {"body": "Kami akan menghubungi Anda besok pagi."})
    message = ReportMessage.objects.get(report=c)
    assert message.sender == "staff" and message.staff_user == intake_officer
    assert Deadline.objects.get(report=c).met_at is not None
    assert Report.objects.filter(pk=a.pk).exists()  # never deleted


def test_attach_suggests_case_with_same_phone(intake_officer):
    first = make_report(identifiers=[("phone", "0813-1111-2222")], kelurahan=kelurahan())
    case = services.case_open(actor=intake_officer, report=first)
    repeat = make_report(identifiers=[("phone", "+62 813 1111 2222")])
    client = verified_client(intake_officer)
    page = client.get(f"/staf/pengaduan/{repeat.pk}/").content.decode()
    assert case.number in page and "sama" in page
    response = client.post(f"/staf/pengaduan/{repeat.pk}/aksi/gabung/", {"case_number": case.number})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == "attached" and repeat.case == case
    assert case.events.filter(kind="report_attached").exists()


def test_open_case_from_queue_and_record_page_shows_timeline(intake_officer, case_manager):
    report = make_report(is_emergency=True)
    client = verified_client(intake_officer)
    response = client.post(f"/staf/pengaduan/{report.pk}/aksi/buka-kasus/", {"case_manager": case_manager.pk})
    case = Case.objects.get()
    assert response["Location"] == f"/staf/kasus/{case.pk}/"
    page = client.get(f"/staf/kasus/{case.pk}/").content.decode()
    assert case.number in page and "Kasus dibuka dari pengaduan" in page and 'id="linimasa"' in page
    assert case.participants.filter(role=CasePerson.Role.VICTIM).exists()


def test_note_task_and_document_through_the_page(case_manager, settings):
    case = _open(case_manager)
    client = verified_client(case_manager)
    today = timezone.localdate().isoformat()
    client.post(f"/staf/kasus/{case.pk}/aksi/catatan/", {"kind": "home_visit", "occurred_on": today,
                                                        "body": "Kunjungan rumah, korban aman."})
    client.post(f"/staf/kasus/{case.pk}/aksi/tugas/", {"title": "Jadwalkan psikolog", "assigned_to": case_manager.pk,
                                                      "due_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    upload = SimpleUploadedFile("visum.pdf", b"%PDF-1.4 hasil visum", content_type="application/pdf")
    client.post(f"/staf/kasus/{case.pk}/aksi/dokumen/", {"file": upload, "description": "Hasil visum"})
    assert case.notes.get().body == "Kunjungan rumah, korban aman."
    assert case.tasks.get().assigned_to == case_manager
    document = CaseDocument.objects.get()
    stored = (Path(settings.MEDIA_ROOT) / "sealed" / document.storage_name).read_bytes()
    assert b"hasil visum" not in stored
    response = client.get(f"/staf/kasus/{case.pk}/dokumen/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 hasil visum"
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(object_type="case_document", action="read").exists()
    # a home visit is a first contact
    assert not Deadline.objects.filter(case=case, kind="first_contact", met_at__isnull=True).exists()


def test_case_list_filters_and_exact_phone_search(case_manager):
    a = _open(case_manager, contact_phone="0812-0000-1111", kelurahan=kelurahan("36.73.02.1001"))
    b = _open(case_manager, violence_forms=["seksual"])
    client = verified_client(case_manager)
    body = client.get("/staf/kasus/", {"identifier_kind": "phone", "identifier": "+62 812 0000 1111"}).content.decode()
    assert a.number in body and b.number not in body
    body = client.get("/staf/kasus/", {"violence_form": "seksual"}).content.decode()
    assert b.number in body and a.number not in body
    body = client.get("/staf/kasus/", {"kecamatan": "36.73.02"}).content.decode()
    assert a.number in body and b.number not in body
    response = client.get("/staf/kasus/", {"identifier_kind": "nik", "identifier": "123"})
    assert response.status_code == 200 and "NIK harus 16 angka" in response.content.decode()


def test_my_caseload_and_pagination(case_manager, supervisor, settings):
    settings.STAFF_PAGE_SIZE = 5
    for _ in range(7):
        case = _open(case_manager)
        services.case_assign(actor=case_manager, case=case, manager=case_manager, expected_version=case.version)
    _open(supervisor)
    client = verified_client(case_manager)
    body = client.get("/staf/kasus/saya/").content.decode()
    assert "Halaman 1 dari 2" in body
    assert body.count('href="/staf/kasus/') - body.count('href="/staf/kasus/saya') >= 5


def test_supervisor_bulk_reassign_and_overview(case_manager, supervisor, intake_officer):
    cases = [_open(intake_officer) for _ in range(3)]
    client = verified_client(supervisor)
    page = client.get("/staf/supervisor/").content.decode()
    assert all(c.number in page for c in cases)  # unassigned
    response = client.post("/staf/supervisor/", {"cases": [cases[0].pk, cases[1].pk], "manager": case_manager.pk})
    assert response.status_code == 302
    assert set(Case.objects.filter(case_manager=case_manager).values_list("pk", flat=True)) == {cases[0].pk, cases[1].pk}
    assert Alert.objects.filter(recipient=case_manager, kind="assigned").count() == 2
    assert verified_client(case_manager).get("/staf/supervisor/").status_code == 403


def test_supervisor_approves_plan_and_closure_through_pages(case_manager, supervisor):
    case = _open(case_manager)
    manager = verified_client(case_manager)
    boss = verified_client(supervisor)
    manager.post(f"/staf/kasus/{case.pk}/aksi/status/", {"to_status": "assessment", "version": case.version})
    case.refresh_from_db()
    manager.post(f"/staf/kasus/{case.pk}/asesmen-risiko/", {"version": case.version, "weapon": "on"})
    case.refresh_from_db()
    assert case.risk_level == "high"
    manager.post(f"/staf/kasus/{case.pk}/aksi/status/", {"to_status": "planning", "version": case.version})
    case.refresh_from_db()
    manager.post(f"/staf/kasus/{case.pk}/rencana-intervensi/", {"version": case.version, "goals": "Rumah aman",
                                                                "services": ["rumah-aman"]})
    assert case.plans.get().status == "pending"
    boss.post(f"/staf/kasus/{case.pk}/aksi/rencana-keputusan/", {"decision": "approve"})
    assert case.plans.get().status == "approved"
    case.refresh_from_db()
    manager.post(f"/staf/kasus/{case.pk}/aksi/status/", {"to_status": "in_service", "version": case.version})
    case.refresh_from_db()
    assert case.status == "in_service"
    manager.post(f"/staf/kasus/{case.pk}/aksi/terminasi/", {"version": case.version, "reason": "Selesai dilayani"})
    boss.post(f"/staf/kasus/{case.pk}/aksi/terminasi-keputusan/", {"decision": "approve"})
    case.refresh_from_db()
    assert case.status == "closed"


def test_incident_classification_and_people_can_be_corrected(case_manager):
    case = _open(case_manager, violence_forms=["fisik"])
    incident = case.incidents.get()
    client = verified_client(case_manager)
    assert client.get(f"/staf/kasus/{case.pk}/kejadian/{incident.pk}/").status_code == 200
    response = client.post(f"/staf/kasus/{case.pk}/kejadian/{incident.pk}/", {
        "version": case.version, "violence_forms": ["fisik", "seksual"], "tpks_forms": ["pelecehan-seksual-fisik"],
        "factors": ["ekonomi"], "relationship": "tetangga", "kelurahan": "36.73.03.1001",
    })
    assert response.status_code == 302
    assert sorted(incident.violence_forms.values_list("slug", flat=True)) == ["fisik", "seksual"]
    assert list(incident.factors.values_list("slug", flat=True)) == ["ekonomi"]
    case.refresh_from_db()
    response = client.post(f"/staf/kasus/{case.pk}/orang/baru/", {
        "version": case.version, "role": "perpetrator", "full_name": "Pelaku Uji", "sex": "male",
        "nik": "3673 0101 0101 0002", "phone": "0812-7777-8888",
    })
    assert response.status_code == 302
    perpetrator = case.participants.get(role="perpetrator").person
    assert perpetrator.full_name == "Pelaku Uji" and perpetrator.nik == "3673010101010002" and perpetrator.nik_index
    body = client.get("/staf/kasus/", {"identifier_kind": "nik", "identifier": "3673010101010002"}).content.decode()
    assert case.number in body
    victim = case.participants.get(role="victim")
    response = client.post(f"/staf/kasus/{case.pk}/orang/{victim.pk}/", {
        "version": case.version, "role": "victim", "full_name": "Korban", "sex": "female", "nik": "12",
    })
    assert response.status_code == 400 and "NIK harus 16 angka" in response.content.decode()
    assert case.events.filter(kind="edited").count() == 2


def test_queue_filters(intake_officer):
    sexual = make_report(violence_forms=["seksual", "psikis"], kelurahan=kelurahan("36.73.04.1001"))
    physical = make_report(violence_forms=["fisik"], contact_phone="0812-3333-4444", channel="phone")
    client = verified_client(intake_officer)

    def refs(params):
        return re.findall(r'data-reference="([^"]+)"', client.get("/staf/pengaduan/", params).content.decode())

    assert refs({"violence_form": "seksual"}) == [sexual.reference]
    assert refs({"kecamatan": "36.73.04"}) == [sexual.reference]
    assert refs({"channel": "phone"}) == [physical.reference]
    assert refs({"identifier_kind": "phone", "identifier": "+6281233334444"}) == [physical.reference]


def test_document_type_comes_from_the_bytes_not_the_browser(case_manager):
    case = _open(case_manager)
    document = services.case_document_add(actor=case_manager, case=case, data=b"<script>alert(1)</script>",
                                          filename="x.html", content_type="text/html")
    assert document.content_type == "application/octet-stream"


def test_supervisor_sees_caseloads_and_filters_by_manager(case_manager, supervisor, intake_officer):
    mine = services.case_open(actor=intake_officer, report=make_report(), case_manager=case_manager)
    loose = services.case_open(actor=intake_officer, report=make_report())
    client = verified_client(supervisor)
    page = client.get("/staf/supervisor/").content.decode()
    assert "Beban kasus" in page and case_manager.username in page
    body = client.get("/staf/kasus/", {"manager": str(case_manager.pk)}).content.decode()
    assert mine.number in body and loose.number not in body
    body = client.get("/staf/kasus/", {"manager": "none"}).content.decode()
    assert loose.number in body and mine.number not in body


def test_reporter_messages_show_as_new_until_staff_open_the_report(intake_officer):
    report = make_report()
    ReportMessage.objects.create(report=report, sender="reporter", body="Saya takut pulang.", created_at=timezone.now())
    client = verified_client(intake_officer)
    assert "1 pesan baru" in client.get("/staf/pengaduan/").content.decode()
    assert "Saya takut pulang." in client.get(f"/staf/pengaduan/{report.pk}/").content.decode()
    assert "pesan baru" not in client.get("/staf/pengaduan/").content.decode()
