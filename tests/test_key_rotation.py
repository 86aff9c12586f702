"""`salingsapa keys rotate` re-seals every encrypted column with the newest key."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from salingsapa.cases.models import Person
from salingsapa.cases.services import case_numbers_allocate
from salingsapa.config import new_key_text
from salingsapa.core import crypto

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
