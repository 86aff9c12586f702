"""The staff password hasher: Argon2id at RFC 9106's second recommended setting (t = 3, 64 MiB, p = 4).

Django's own Argon2 hasher uses t = 2, 100 MiB, p = 8. Its 100 MiB are allocated for every password check,
so a web worker that signs a staff member in briefly grows by 100 MiB: a gunicorn worker at about 105 MiB
reached 202 MiB in the soak (docs/performance.md). At 64 MiB and three passes an attacker's cost per guess
(memory × passes: 192 against 200 MiB-passes) is about the same, and a check costs slightly less CPU here.
Hashes made with Django's parameters still verify (same algorithm name, each hash carries its parameters)
and are rehashed at the user's next sign-in (``must_update``). Recovery codes use the same hasher.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class StaffArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 65536  # KiB
    parallelism = 4
