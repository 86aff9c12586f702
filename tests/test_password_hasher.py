"""Staff passwords: Argon2id at t = 3, 64 MiB, p = 4 (accounts/hashers.py), Django's hashes upgraded at sign-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password
from django.test import Client

from salingsapa.accounts.hashers import StaffArgon2PasswordHasher
from tests.personas import PASSWORD, make_user

STAFF = [
    "salingsapa.accounts.hashers.StaffArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_production_settings_hash_with_the_staff_argon2(settings):
    from salingsapa import settings as real

    assert real.PASSWORD_HASHERS[-2:] == STAFF  # tests put MD5 in front; production has these two only
    settings.PASSWORD_HASHERS = STAFF
    encoded = make_password("kata-sandi-yang-cukup-panjang")
    assert encoded.startswith("argon2$argon2id$v=19$m=65536,t=3,p=4$")
    assert check_password("kata-sandi-yang-cukup-panjang", encoded)
    assert not check_password("kata-sandi-yang-lain-sekali", encoded)


def test_django_default_hash_verifies_and_is_upgraded_at_sign_in(settings, uptd):
    settings.PASSWORD_HASHERS = STAFF
    user = make_user("petugas-lama", "intake_officer", uptd)
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old  # Django's parameters: 100 MiB per check
    type(user).objects.filter(pk=user.pk).update(password=old)
    assert isinstance(identify_hasher(old), StaffArgon2PasswordHasher)
    response = Client().post("/staf/masuk/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302  # signed in with the old hash (on to the second factor)
    user.refresh_from_db()
    assert "m=65536,t=3,p=4" in user.password and user.check_password(PASSWORD)


PEAK = """
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=[{hasher!r}])
django.setup()
from django.contrib.auth.hashers import check_password, get_hasher, make_password
get_hasher()  # imported: what is left is the hash's own memory
def peak():  # VmHWM: this process's own high-water mark (ru_maxrss would carry the forking parent's)
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
before = peak()
encoded = make_password("kata-sandi-yang-cukup-panjang")
assert check_password("kata-sandi-yang-cukup-panjang", encoded)
print((peak() - before) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from Linux's /proc")
def test_a_password_check_needs_64_not_100_mib():
    """The peak a sign-in adds to a web worker (the soak's 202 MiB worker was Django's 100 MiB check)."""

    def peak(hasher: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", PEAK.format(hasher=hasher)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return int(done.stdout.split()[-1])

    staff = peak(STAFF[0])
    django_default = peak("django.contrib.auth.hashers.Argon2PasswordHasher")
    assert 60 <= staff <= 70 and 96 <= django_default <= 106  # MiB the hash adds to the process
