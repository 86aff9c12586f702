"""The codename KDF (issue 14 item 3): Argon2id at OWASP's floor for a >= 77-bit codename."""

from __future__ import annotations

import os
import subprocess
import sys

from argon2 import PasswordHasher, Type, extract_parameters

from salingsapa.core import crypto
from salingsapa.intake.codenames import codename_entropy_bits
from tests.test_settings_config import _production


def test_production_hashes_codenames_with_argon2id_at_the_owasp_floor(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS"))}
    env.update(_production(), SALINGSAPA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="salingsapa.settings")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from salingsapa.core import crypto; "
                               "print(crypto.hash_codename('satu dua tiga empat lima enam tujuh'))"],
        capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_codename_carries_at_least_77_bits():
    assert codename_entropy_bits() >= 77


def test_codenames_hashed_with_the_earlier_parameters_still_verify():
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=2).hash("satu dua tiga empat lima enam tujuh")
    assert crypto.verify_codename(old, "satu dua tiga empat lima enam tujuh")
    assert not crypto.verify_codename(old, "satu dua tiga empat lima enam delapan")


def test_the_libsodium_hash_is_argon2id_with_the_configured_parameters(settings):
    settings.CODENAME_ARGON2 = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
    stored = crypto.hash_codename("satu dua tiga empat lima enam tujuh")
    params = extract_parameters(stored)
    assert (params.type, params.version, params.time_cost, params.memory_cost, params.parallelism) == (
        Type.ID, 19, 2, 19456, 1)
    assert (params.salt_len, params.hash_len) == (16, 32)  # as argon2-cffi's own hashes
    assert PasswordHasher().verify(stored, "satu dua tiga empat lima enam tujuh")  # argon2-cffi verifies it
    assert crypto.verify_codename(stored, "satu dua tiga empat lima enam tujuh")
    assert not crypto.verify_codename(stored, "satu dua tiga empat lima enam delapan")
    assert stored != crypto.hash_codename("satu dua tiga empat lima enam tujuh")  # a fresh salt each time


def test_more_than_one_lane_is_hashed_by_argon2_cffi(settings):
    settings.CODENAME_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 2}
    stored = crypto.hash_codename("satu dua tiga empat lima enam tujuh")
    assert extract_parameters(stored).parallelism == 2
    assert crypto.verify_codename(stored, "satu dua tiga empat lima enam tujuh")
