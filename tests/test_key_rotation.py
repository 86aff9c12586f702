"""`salingsapa keys rotate` re-seals every encrypted column and every stored sealed file with the newest key."""

from __future__ import annotations

import base64
import secrets

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from salingsapa.cases.models import Person
from salingsapa.cases.services import case_numbers_allocate
from salingsapa.config import new_key_text
from salingsapa.core import crypto, files
from salingsapa.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM cases_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotate_reseals_with_the_new_key_and_old_key_can_then_go(settings):
    old = settings.ENCRYPTION_KEYS[0]
    people = [Person.objects.create(full_name=f"Orang {i}", created_at=timezone.now()) for i in range(7)]
    assert all(crypto.needs_reseal(_raw(p.pk)) is False for p in people)
    new = base64.urlsafe_b64decode(new_key_text() + "=")
    settings.ENCRYPTION_KEYS = [new, old]
    assert all(crypto.needs_reseal(_raw(p.pk)) for p in people)
    call_command("keys", "rotate", batch=3, verbosity=0)
    assert not any(crypto.needs_reseal(_raw(p.pk)) for p in people)
    settings.ENCRYPTION_KEYS = [new]
    assert [Person.objects.get(pk=p.pk).full_name for p in people] == [f"Orang {i}" for i in range(7)]


def test_generate_prints_a_usable_key(capsys):
    call_command("keys", "generate")
    text = capsys.readouterr().out.strip()
    assert len(base64.urlsafe_b64decode(text + "=")) == 32


def test_case_numbers_are_consecutive_per_year():
    assert case_numbers_allocate(year=2025, count=2) == [(1, "SRG-2025-0001"), (2, "SRG-2025-0002")]
    assert case_numbers_allocate(year=2025) == [(3, "SRG-2025-0003")]
    assert case_numbers_allocate(year=2026) == [(1, "SRG-2026-0001")]


def test_encrypted_fields_refuse_content_searches():
    with pytest.raises(TypeError, match="blind index"):
        list(Person.objects.filter(full_name__icontains="Orang"))


# --- stored files (evidence, case documents, awareness files, exports) ---------------------------


@pytest.fixture(autouse=True)
def _own_exports_store(settings, tmp_path):
    """The exports store of this test only (by default it is a folder of the data dir, shared by tests)."""
    settings.STORAGES = {**settings.STORAGES, files.EXPORTS: {
        "BACKEND": "salingsapa.core.files.DurableFileSystemStorage", "OPTIONS": {"location": str(tmp_path / "x")}}}


def _key_of(name: str, alias: str = files.SEALED) -> bytes:
    return files.raw_read(name, alias=alias)[2:6]


def _store_some() -> dict[tuple[str, str], tuple[str, bytes]]:
    """A file of every purpose; {(alias, name): (purpose, plain bytes)}."""
    stored = {}
    for alias, purposes in files.FILE_PURPOSES.items():
        for i, purpose in enumerate(purposes):
            for j in range(2):
                plain = f"{purpose} {j} ".encode() * (50 + i)
                name = files.store_sealed_file(plain, purpose=purpose, alias=alias,
                                               name=f"{secrets.token_hex(8)}" if alias == files.EXPORTS else None)
                stored[(alias, name)] = (purpose, plain)
    return stored


def _new_key_first(settings) -> tuple[bytes, bytes]:
    old = settings.ENCRYPTION_KEYS[0]
    new = base64.urlsafe_b64decode(new_key_text() + "=")
    settings.ENCRYPTION_KEYS = [new, old]
    return new, old


def test_rotate_reseals_stored_files_so_the_old_key_can_go(settings, tmp_path):
    stored = _store_some()
    assert len(stored) == 10
    old_id = _key_of(next(iter(stored))[1])
    new, _old = _new_key_first(settings)
    call_command("keys", "rotate", verbosity=0)
    for (alias, name), (purpose, plain) in stored.items():
        assert _key_of(name, alias) != old_id
        assert files.read_sealed_file(name, purpose=purpose, alias=alias) == plain
    settings.ENCRYPTION_KEYS = [new]  # the old key removed: every file still opens
    for (alias, name), (purpose, plain) in stored.items():
        assert files.read_sealed_file(name, purpose=purpose, alias=alias) == plain
    entry = AuditEvent.objects.filter(object_type="core.keys").latest("pk")
    assert entry.actor_label == "system:keys-rotate" and entry.detail["finished"] is True
    assert entry.detail["files"][files.SEALED]["resealed"] == 8
    assert entry.detail["files"][files.EXPORTS]["resealed"] == 2
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))  # replaced in place, nothing left over


def test_an_interrupted_rotation_resumes_where_it_stopped(settings, monkeypatch):
    stored = {k: v for k, v in _store_some().items() if k[0] == files.SEALED}
    new, _old = _new_key_first(settings)
    real = files._replace
    calls = {"n": 0}

    def dies_after_three(storage, name, data):
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the operator's Ctrl+C, or the machine going down
        calls["n"] += 1
        real(storage, name, data)

    monkeypatch.setattr(files, "_replace", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        call_command("keys", "rotate", verbosity=0)
    cut = AuditEvent.objects.filter(object_type="core.keys").latest("pk")
    assert cut.detail["finished"] is False and cut.detail["files"][files.SEALED]["resealed"] == 3
    for (alias, name), (purpose, plain) in stored.items():  # every file still opens, whichever key it is under
        assert files.read_sealed_file(name, purpose=purpose, alias=alias) == plain
    monkeypatch.setattr(files, "_replace", real)
    call_command("keys", "rotate", verbosity=0)
    again = AuditEvent.objects.filter(object_type="core.keys").latest("pk")
    assert again.detail["finished"] is True
    assert again.detail["files"][files.SEALED] == {"resealed": 5, "current": 3, "gone": 0, "unreadable": 0}
    settings.ENCRYPTION_KEYS = [new]
    for (alias, name), (purpose, plain) in stored.items():
        assert files.read_sealed_file(name, purpose=purpose, alias=alias) == plain
    call_command("keys", "rotate", verbosity=0)  # idempotent: a third run only looks
    assert AuditEvent.objects.filter(object_type="core.keys").latest("pk").detail["files"][files.SEALED]["current"] == 8


def test_rotate_reseals_files_in_object_storage_too(settings, monkeypatch):
    class ObjectStore(InMemoryStorage):
        file_overwrite = True  # as django-storages' S3 backend is configured

        def get_available_name(self, name, max_length=None):
            return name

    store, real_storage = ObjectStore(), files.file_storage
    monkeypatch.setattr(files, "file_storage", lambda alias=files.SEALED: store if alias == files.SEALED
                        else real_storage(alias))
    name = files.store_sealed_file(b"bukti", purpose="evidence")
    new, _old = _new_key_first(settings)
    assert files.reseal_file(name) == files.RESEALED
    assert files.reseal_file(name) == files.CURRENT
    settings.ENCRYPTION_KEYS = [new]
    assert files.read_sealed_file(name, purpose="evidence") == b"bukti"


def test_a_file_no_key_opens_stops_the_rotation_with_a_clear_message(settings):
    name = files.store_sealed_file(b"x" * 64, purpose="evidence")
    files.raw_write("ab/garbage", b"s1" + b"\0" * 60)  # not sealed by any configured key
    _new_key_first(settings)
    with pytest.raises(CommandError, match="could not be opened"):
        call_command("keys", "rotate", verbosity=0)
    assert files.read_sealed_file(name, purpose="evidence") == b"x" * 64


def test_a_file_purpose_must_be_known_to_the_rotation():
    with pytest.raises(ValueError, match="FILE_PURPOSES"):
        files.store_sealed_file(b"x", purpose="something-new")
