"""Shared test setup: a throwaway data folder, cheap hashing, and the personas every test uses."""

from __future__ import annotations

import os
import tempfile

_DATA = tempfile.mkdtemp(prefix="salingsapa-test-")
os.environ.setdefault("SALINGSAPA_DATA_DIR", _DATA)
os.environ.setdefault("SALINGSAPA_FAST_HASHING", "true")
os.environ.setdefault("SALINGSAPA_ENV", "test")

import pytest  # noqa: E402

from tests.personas import *  # noqa: E402,F403


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: every test starts with a fresh budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
