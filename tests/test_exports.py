"""Exports: permission, audit, encryption of personal data, SIMFONI columns, de-identification."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
import pyzipper
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from salingsapa.cases.models import Person
from salingsapa.core import files
from salingsapa.core.models import AuditEvent
from salingsapa.stats import exports
from salingsapa.stats.engine import StatsFilter
from tests.casework_helpers import verified_client
from tests.stats_fixtures import KASEMEN_1, make_case, wib

PERIOD = StatsFilter(start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))


@pytest.fixture
def data(uptd):
    a = make_case(uptd, wib(2025, 2, 3), forms=("seksual", "psikis"), tpks=("perbuatan-cabul",), factors=("ekonomi",))
    victim = a.participants.get(role="victim").person
    Person.objects.filter(pk=victim.pk).update(full_name="Siti Rahasia", nik="3673010101010001",
                                               address="Jl. Rahasia 1", phone="081234567890")
    make_case(uptd, wib(2025, 3, 4), kelurahan=KASEMEN_1, forms=("fisik",),
              victims=(("male", "6-12"), ("female", "6-12")), status="closed", closed_at=wib(2025, 5, 1))
    make_case(uptd, wib(2024, 3, 4))  # outside the period
    return a


def _unzip(content: bytes, password: str) -> tuple[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(content)) as zf:
        zf.setpassword(password.encode())
        [name] = zf.namelist()
        return name, zf.read(name)


def test_simfoni_export_is_encrypted_and_has_simfoni_columns(data, supervisor):
    result = exports.export_run(user=supervisor, kind="simfoni", fmt="csv", flt=PERIOD)
    assert result.rows == 3 and result.password and result.filename.endswith(".zip")
    assert b"Siti Rahasia" not in result.content and b"3673010101010001" not in result.content
    with zipfile.ZipFile(io.BytesIO(result.content)) as plain, pytest.raises(RuntimeError):
        plain.read(plain.namelist()[0])  # not readable without the password
    with pyzipper.AESZipFile(io.BytesIO(result.content)) as zf:
        zf.setpassword(b"salah")
        with pytest.raises(RuntimeError):
            zf.read(zf.namelist()[0])
    name, payload = _unzip(result.content, result.password)
    assert name == "simfoni-ppa-20250101-20251031.csv"
    rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
    assert list(rows[0]) == [c for c, _ in exports.SIMFONI_COLUMNS]
    first = rows[0]
    assert first["nama_korban"] == "Siti Rahasia" and first["nik_korban"] == "3673010101010001"
    assert first["bentuk_kekerasan"] == "Psikis; Seksual" and first["bentuk_tpks"] == "Perbuatan cabul"
    assert first["kode_kecamatan"] == "36.73.01" and first["kode_kabupaten_kota"] == "36.73"
    assert first["tanggal_pelaporan"] == "2025-02-03" and first["jumlah_pelaku"] == "1"
    assert {r["kelompok_umur_korban"] for r in rows[1:]} == {"6-12"}
    assert rows[1]["tanggal_terminasi"] == "2025-05-01"
    event = AuditEvent.objects.get(action="export", object_type="stats.export")
    assert event.actor == supervisor and event.detail["rows"] == 3 and event.detail["encrypted"] is True
    assert "Siti" not in str(event.detail) and result.password not in str(event.detail)


def test_simfoni_xlsx(data, supervisor):
    result = exports.export_run(user=supervisor, kind="simfoni", fmt="xlsx", flt=PERIOD)
    _name, payload = _unzip(result.content, result.password)
    ws = load_workbook(io.BytesIO(payload)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "No. Registrasi Kasus" and values[1][0] == "no_registrasi"
    assert len(values) == 2 + 3


def test_research_export_is_deidentified(data, supervisor):
    result = exports.export_run(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    assert result.password is None and result.filename == "riset-20250101-20251031.csv"
    text = result.content.decode("utf-8-sig")
    for secret in ("Siti Rahasia", "3673010101010001", "Jl. Rahasia", "081234567890", "SRG-", "2025-02-03",
                   "36.73.01.1001"):
        assert secret not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["bulan_pelaporan"] for r in rows] == ["2025-02", "2025-03", "2025-03"]
    assert rows[1]["id_kasus"] == rows[2]["id_kasus"] != rows[0]["id_kasus"]  # two victims of one case
    assert rows[1]["lama_penanganan"] == "31–90 hari"
    again = exports.export_run(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    assert list(csv.DictReader(io.StringIO(again.content.decode("utf-8-sig"))))[0]["id_kasus"] != rows[0]["id_kasus"]


@pytest.mark.parametrize("who", ["case_manager", "intake_officer", "partner_psychologist", "outsider"])
def test_only_supervisors_export(data, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        exports.export_run(user=user, kind="research", fmt="csv", flt=PERIOD)
    assert AuditEvent.objects.filter(action="denied", object_type="stats.export").exists()


def test_formula_injection_is_neutralised(data, supervisor):
    victim = data.participants.get(role="victim").person
    Person.objects.filter(pk=victim.pk).update(full_name="=HYPERLINK(\"http://x\")")
    result = exports.export_run(user=supervisor, kind="simfoni", fmt="csv", flt=PERIOD)
    _name, payload = _unzip(result.content, result.password)
    assert "'=HYPERLINK" in payload.decode("utf-8-sig")


def _run_export_job(client, **fields):
    """Ask for an export on the page; run the job as the worker thread would; return the job page."""
    from salingsapa.stats.jobs import export_job_run
    from salingsapa.stats.models import ExportJob

    r = client.post(reverse("stats:exports"), {"start": "2025-01-01", "end": "2025-10-31", **fields})
    assert r.status_code == 302
    job = ExportJob.objects.latest("created_at")
    assert r["Location"] == reverse("stats:export_job", args=[job.pk])
    queued = client.get(r["Location"])
    assert "Menunggu" in queued.content.decode() and 'http-equiv="refresh"' in queued.content.decode()
    export_job_run(job_id=job.pk)
    return job, client.get(r["Location"])


def test_export_runs_as_a_job_shows_password_once_and_downloads_once(client, data, supervisor, case_manager):
    url = reverse("stats:exports")
    assert verified_client(case_manager).get(url).status_code == 403
    client = verified_client(supervisor)
    job, page = _run_export_job(client, kind="simfoni", fmt="csv")
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == 3 and job.rows_total == 3
    body = page.content.decode()
    assert 'value="100"' in body and 'http-equiv="refresh"' not in body
    password = body.split('<p class="secret">')[1].split("</p>")[0].strip()
    assert job.password == ""  # shown once, then forgotten
    assert password not in client.get(reverse("stats:export_job", args=[job.pk])).content.decode()
    download = client.get(reverse("stats:export_download", args=[job.token]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    _unzip(download.content, password)
    assert client.get(reverse("stats:export_download", args=[job.token])).status_code == 404
    bad = client.post(url, {"kind": "simfoni", "fmt": "pdf", "start": "2025-10-31", "end": "2025-01-01"})
    assert bad.status_code == 400 and 'class="errorlist"' in bad.content.decode()


def test_another_session_or_user_cannot_see_the_job_or_download(client, data, supervisor, uptd):
    from salingsapa.accounts.models import Role
    from tests.personas import make_user

    job, _ = _run_export_job(verified_client(supervisor), kind="research", fmt="csv")
    job.refresh_from_db()
    other_session = verified_client(supervisor)
    assert other_session.get(reverse("stats:export_download", args=[job.token])).status_code == 404
    other_supervisor = verified_client(make_user("supervisor2", Role.SUPERVISOR, uptd))
    assert other_supervisor.get(reverse("stats:export_job", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_queued_jobs_are_picked_up_by_the_worker(data, supervisor):
    from salingsapa.stats.jobs import export_job_create
    from salingsapa.stats.models import ExportJob

    job = export_job_create(user=supervisor, kind="research", fmt="xlsx", flt=PERIOD)
    call_command("worker", "--burst", "--no-periodic", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.token
    assert AuditEvent.objects.filter(action="export", object_type="stats.export").exists()


def test_command_with_progress(data, supervisor, case_manager, tmp_path):
    out = tmp_path / "e.zip"
    buf = io.StringIO()
    call_command("stats_export", "--kind", "simfoni", "--format", "xlsx", "--from", "2025-01-01",
                 "--to", "2025-10-31", "--user", supervisor.username, "--output", str(out), stdout=buf)
    printed = buf.getvalue()
    assert "3 baris" in printed and "Kata sandi" in printed
    password = printed.split("sekali): ")[1].strip()
    _name, payload = _unzip(out.read_bytes(), password)
    assert payload[:2] == b"PK"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError):
        call_command("stats_export", "--kind", "research", "--from", "2025-01-01", "--to", "2025-10-31",
                     "--user", case_manager.username, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("stats_export", "--kind", "research", "--from", "2025-13-01", "--to", "2025-10-31",
                     "--user", supervisor.username, stdout=io.StringIO())


def test_undownloaded_exports_are_purged_after_a_day(data, supervisor, monkeypatch):
    """The age comes from the stash time in the token, not from the storage's file times, so a storage
    backend that cannot tell file ages (some object stores) still has its exports purged."""
    storage = files.file_storage(files.EXPORTS)

    def no_file_times(name):
        raise NotImplementedError

    monkeypatch.setattr(storage, "get_modified_time", no_file_times)
    result = exports.export_run(user=supervisor, kind="research", fmt="csv", flt=PERIOD)
    real_now = exports.timezone.now()
    monkeypatch.setattr(exports.timezone, "now",
                        lambda: real_now - dt.timedelta(seconds=exports.STASH_MAX_AGE_SECONDS + 60))
    old = exports.stash(result)
    unfetched = exports.stash(result)
    monkeypatch.setattr(exports.timezone, "now", lambda: real_now)
    assert set(files.walk(files.EXPORTS)) >= {old, unfetched}
    fresh = exports.stash(result)  # stashing purges what is older than a day
    left = set(files.walk(files.EXPORTS))
    assert fresh in left and not left & {old, unfetched}
    assert exports.take(old) is None
    assert exports.take(fresh) is not None
    monkeypatch.setattr(exports.timezone, "now",
                        lambda: real_now + dt.timedelta(seconds=exports.STASH_MAX_AGE_SECONDS + 60))
    late = exports.stash(result)
    monkeypatch.setattr(exports.timezone, "now",
                        lambda: real_now + dt.timedelta(seconds=2 * exports.STASH_MAX_AGE_SECONDS + 120))
    assert exports.take(late) is None  # a token older than a day is refused (and deleted) even before a purge
    assert late not in set(files.walk(files.EXPORTS))
    assert exports.take("t99999999999999999999-x") is None  # a time no clock holds: refused, no crash
    assert exports._stashed_at("t99999999999999999999-x") is None
    assert exports.take("../../etc/passwd") is None


def test_exports_use_the_crypto_facade_only():
    """Keyed pseudonyms, the AES ZIP and the password come from core.crypto (issue 11 item 7)."""
    import pathlib
    import re

    import salingsapa.stats as stats_pkg

    root = pathlib.Path(stats_pkg.__file__).parent
    pattern = re.compile(r"blake2b|pyzipper|token_bytes|hmac\.new|AESGCM|cryptography\.")
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_export_pseudonyms_are_stable_within_one_export_and_unlinkable_across():
    from salingsapa.core import crypto

    one, two = crypto.export_pseudonymiser(), crypto.export_pseudonymiser()
    assert one("42") == one("42") and one("42") != one("43")
    assert one("42") != two("42") and len(one("42")) == 12
