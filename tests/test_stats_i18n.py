"""Statistics pages in English when English is chosen (issue 10 items 9 and 11, statistics pages)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

import salingsapa.stats as stats_pkg
from salingsapa.stats import services
from tests.casework_helpers import verified_client
from tests.stats_fixtures import KASEMEN_1, SERANG_1, make_case, wib

pytestmark = pytest.mark.django_db

MO = Path(stats_pkg.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def _indonesian_fragments() -> set[str]:
    """Literal pieces (≥ 12 characters) of every stats msgid whose English differs."""
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    out = set()
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid or msgid == msgstr:
            continue
        for piece in re.split(r"%\(\w+\)[sd]", msgid):
            piece = piece.strip(" ,.:;()")
            if len(piece) >= 12 and piece.lower() not in str(msgstr).lower():
                out.add(piece)
    return out


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def published(uptd, case_manager, supervisor):
    for k in range(14):
        make_case(uptd, wib(2025, 1 + k % 10, 2 + k), forms=("seksual",) if k % 3 else ("fisik", "psikis"),
                  kelurahan=SERANG_1 if k % 2 else KASEMEN_1)
    make_case(uptd, wib(2024, 4, 4))
    snap = services.snapshot_prepare(user=case_manager, start=wib(2025, 1, 1).date(), end=wib(2025, 10, 31).date())
    services.snapshot_approve(user=supervisor, snapshot=snap)
    return snap


def test_statistics_pages_in_english(client, published, supervisor):
    fragments = _indonesian_fragments()
    assert len(fragments) > 50
    staff = verified_client(supervisor)
    staff.post("/i18n/setlang/", {"language": "en", "next": "/staf/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    pages = {
        "dashboard": (staff, reverse("stats:dashboard") + "?start=2025-01-01&end=2025-10-31"),
        "snapshots": (staff, reverse("stats:snapshots")),
        "snapshot": (staff, reverse("stats:snapshot", args=[published.pk])),
        "exports": (staff, reverse("stats:exports")),
        "public": (client, "/statistik/"),
    }
    for name, (c, url) in pages.items():
        r = c.get(url)
        assert r.status_code == 200, name
        html = r.content.decode()
        assert '<html lang="en">' in html, name
        text = _visible(html)
        left = sorted(f for f in fragments if f in text)
        assert left == [], (name, left)
    dash = _visible(staff.get(pages["dashboard"][1]).content.decode())
    assert "Statistics dashboard" in dash and "Jan–Oct 2025 compared with Jan–Oct 2024" in dash
    assert "Cases compared with last year" in dash and "Sexual" in dash
    public = _visible(client.get("/statistik/").content.decode())
    assert "Statistics of violence against women and children" in public and "Period: Jan–Oct 2025." in public
    assert "Form of violence (SIMFONI-PPA)" in public and "Sexual" in public and "Seksual" not in public
