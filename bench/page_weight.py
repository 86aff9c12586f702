"""Page weight of the public report form: every page's transfer size, and no external requests.

For each page of the report form (home, start, every step, the emergency page, the summary, the
receipt and the follow-up page) this fetches the HTML with Django's test client, finds every
subresource the browser would load (stylesheets, scripts, images, icons, CSS ``url()``), and adds
up their sizes:

* ``raw``: bytes as they are;
* ``gzip``: each response gzip-compressed at level 6 (what WhiteNoise serves for static files
  after ``collectstatic``, and what a compressing reverse proxy sends for HTML);
* ``served``: HTML uncompressed (Django does not compress pages: no BREACH exposure of the CSRF
  token) plus gzip-compressed static files — the conservative figure the 60 KB budget applies to.

Any subresource that is not on our own origin is an error. Run::

    .venv/bin/python -m bench.page_weight          # writes bench/results/page_weight.{json,md}

``tests/test_page_weight.py`` runs ``measure`` in the test suite and enforces the budget.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BUDGET_BYTES = 60 * 1024
RESULTS = Path(__file__).resolve().parent / "results"

_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.I)


@dataclass
class PageWeight:
    name: str
    path: str
    status: int
    raw: int = 0
    gzip: int = 0
    served: int = 0
    requests: int = 0
    resources: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    @property
    def within_budget(self) -> bool:
        return self.served <= BUDGET_BYTES and not self.external


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _is_external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//")) and not url.startswith(("http://testserver/",))


class _Resources(HTMLParser):
    """Collects the URLs a browser fetches while loading the page (not links it may follow)."""

    FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and set(a.get("rel", "").lower().split()) & self.FETCHED_RELS:
            self.urls.append(a.get("href", ""))
        elif tag in {"script", "img", "source", "iframe", "video", "audio", "embed"}:
            self.urls.append(a.get("src", ""))
        elif tag == "object":
            self.urls.append(a.get("data", ""))
        if "style" in a:
            self.urls.extend(_CSS_URL.findall(a["style"]))


def _subresources(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return [u for u in parser.urls if u and not u.startswith("data:")]


def _fetch(client: Any, url: str) -> tuple[int, bytes]:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    if url.startswith(settings.STATIC_URL):
        found = finders.find(url[len(settings.STATIC_URL):].split("?")[0])
        if found:
            return 200, Path(str(found)).read_bytes()
        return 404, b""
    response = client.get(url)
    return response.status_code, b"".join(response) if response.streaming else response.content


def weigh(client: Any, name: str, path: str, html_response: Any = None) -> PageWeight:
    response = html_response if html_response is not None else client.get(path)
    html = response.content
    result = PageWeight(name=name, path=path, status=response.status_code, requests=1)
    result.raw, result.gzip, result.served = len(html), _gz(html), len(html)
    text = html.decode("utf-8", "replace")
    queue = _subresources(text)
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if _is_external(url):
            result.external.append(url)
            continue
        status, body = _fetch(client, url)
        result.requests += 1
        result.resources.append(f"{url} ({status})")
        result.raw += len(body)
        result.gzip += _gz(body)
        result.served += _gz(body)
        if url.endswith(".css"):
            queue.extend(u for u in _CSS_URL.findall(body.decode("utf-8", "replace")) if not u.startswith("data:"))
    return result


STEP_POSTS = [
    ("pelapor", {"reporter_role": "family"}),
    ("bahaya", {"in_danger_now": "no"}),
    ("kejadian", {"narrative": "Tetangga memukul anak kami di depan rumah. " * 20, "violence_forms": ["fisik", "psikis"]}),
    ("korban", {"victim_sex": "female", "victim_age_group": "13-17", "victim_is_child": "yes"}),
    ("lokasi", {"kelurahan_code": "36.73.01.1002", "place": "rumah-tangga"}),
    ("waktu", {"incident_date": "2025-10-01"}),
    ("pelaku", {"relationship": "tetangga", "met_via": "media-sosial", "met_via_platform": "instagram",
                "ident_kind_1": "instagram", "ident_value_1": "@pelaku.contoh"}),
    ("kontak", {"contact_name": "Ibu S", "contact_phone": "081234567890", "preferred_channel": "whatsapp",
                "safe_time": "pagi", "consent_contact": "on"}),
]


def measure(client: Any) -> list[PageWeight]:
    """Walk the whole form with ``client`` (a Django test client with a database) and weigh every page."""
    results = [weigh(client, "home", "/"), weigh(client, "start", "/lapor/")]
    for step, data in STEP_POSTS:
        results.append(weigh(client, f"step {step} (empty)", f"/lapor/{step}/"))
        client.post(f"/lapor/{step}/", data)
        results.append(weigh(client, f"step {step} (filled)", f"/lapor/{step}/"))
    results.append(weigh(client, "step bukti", "/lapor/bukti/"))
    results.append(weigh(client, "emergency", "/lapor/darurat/"))
    bad = client.post("/lapor/kejadian/", {"narrative": ""})
    results.append(weigh(client, "step kejadian (errors)", "/lapor/kejadian/", bad))
    summary = client.get("/lapor/ringkasan/")
    results.append(weigh(client, "summary", "/lapor/ringkasan/", summary))
    token = re.search(r'name="token" value="([^"]+)"', summary.content.decode())
    if token:
        client.post("/lapor/ringkasan/", {"token": token.group(1)})
        results.append(weigh(client, "receipt", "/lapor/selesai/"))
    results.append(weigh(client, "follow-up login", "/lapor/cek/"))
    return results


def to_markdown(results: list[PageWeight]) -> str:
    lines = [
        f"| page | status | requests | raw (B) | gzip (B) | served (B) | budget {BUDGET_BYTES // 1024} KB | external |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r.name} | {r.status} | {r.requests} | {r.raw} | {r.gzip} | {r.served} | "
                     f"{'ok' if r.within_budget else 'OVER'} | {len(r.external)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="salingsapa-bench-")
    os.environ.setdefault("SALINGSAPA_DATA_DIR", data_dir)
    os.environ.setdefault("SALINGSAPA_FAST_HASHING", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    results = measure(Client())
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "budget_bytes": BUDGET_BYTES,
        "method": "Django test client; HTML uncompressed + static gzip level 6 = served",
        "python": sys.version.split()[0],
        "pages": [asdict(r) | {"within_budget": r.within_budget} for r in results],
    }
    (RESULTS / "page_weight.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    table = to_markdown(results)
    (RESULTS / "page_weight.md").write_text(table, encoding="utf-8")
    print(table)
    worst = max(results, key=lambda r: r.served)
    print(f"heaviest: {worst.name} {worst.served} B served ({worst.gzip} B gzip); budget {BUDGET_BYTES} B")
    return 0 if all(r.within_budget for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
