"""Shared test setup: a throwaway data folder, cheap hashing, and the personas every test uses."""

from __future__ import annotations

# The test environment (throwaway data folder, fast hashing) is set by salingsapa/test_settings.py,
# which pytest-django loads before this file.
import pytest
from django.utils import translation

from tests.personas import *  # noqa: F403


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in Bahasa Indonesia: a request through the test client activates
    the language of its cookie in this thread, and it would otherwise leak into the next test."""
    translation.activate("id")
    yield
    translation.activate("id")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.jsonl")  # anchors of one test's database only


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: every test starts with a fresh budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_guard(request):
    """Transactional tests end with a table flush, which the append-only audit guard refuses.

    The guard is (re)installed at the start of each such test, so it is in force while the test
    runs, and lifted at its end, just before pytest-django flushes the tables.
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up before us, so torn down (flushed) after us
    from django.db import connection

    from salingsapa.core import dbguard

    dbguard.install(connection)
    yield
    dbguard.remove(connection)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """A transactional test's teardown flushes every table, including the reference data that the
    migrations loaded (code lists, Kota Serang's regions). Put it back before the next one needs it."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from salingsapa.core.codelists import load_code_lists
    from salingsapa.core.models import Code, Region
    from salingsapa.core.regions import load_region_tree

    if not Code.objects.exists():
        load_code_lists(Code)
    if not Region.objects.filter(code__startswith="36.73.").exists():
        load_region_tree(Region, "36.73")
        Region.objects.filter(code="36.73").update(population=759929)
    yield
