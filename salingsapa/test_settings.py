"""Settings for the test suite: the normal settings with test defaults in the environment.

pytest-django imports the settings before any conftest runs, so the defaults are set here:
a throwaway data folder per run, cheap password and codename hashing, ``SALINGSAPA_ENV=test``.
Anything already set in the environment (e.g. ``DATABASE_URL`` for PostgreSQL) wins.
"""

import os
import tempfile

os.environ.setdefault("SALINGSAPA_DATA_DIR", tempfile.mkdtemp(prefix="salingsapa-test-"))
os.environ.setdefault("SALINGSAPA_FAST_HASHING", "true")
os.environ.setdefault("SALINGSAPA_ENV", "test")

from salingsapa.settings import *  # noqa: E402,F403

# A second connection alias for the read-replica router's tests (tests/test_scale_infra.py): a test
# mirror of the primary (the same test database). Nothing is routed to it unless a test sets
# REPLICA_DATABASE = "replica"; with DATABASE_REPLICA_URL set, settings.py has made it already.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
