"""Issue 10 item 11 (public pages): with English chosen, the home page, the report steps, the
receipt, follow-up, /layanan/ and the error pages show no Indonesian sentence from the public catalogue."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.reporting import fill_steps, submit

pytestmark = pytest.mark.django_db

CATALOGUES = [Path("salingsapa/public/locale/en/LC_MESSAGES/django.po")]
# Words that read the same in both languages or are names.
SAME = {"Email", "Kec.", "Kecamatan", "Kelurahan", "Instagram", "Facebook", "TikTok", "X (Twitter)", "Telegram",
        "Saling Sapa"}


INDONESIAN_WORDS = ["yang", "dan", "untuk", "Anda", "dengan", "tidak", "atau", "ini", "dari", "Semua", "Cari",
                    "Lapor", "Laporan", "Layanan", "Kembali", "Lanjut", "Pilih", "Ya", "Tidak"]


def indonesian_msgids() -> set[str]:
    found = set()
    for path in CATALOGUES:
        text = path.read_text(encoding="utf-8")
        for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M):
            if msgstr and msgstr != msgid and "%(" not in msgid and len(msgid) > 3 and msgid not in SAME:
                found.add(msgid.replace('\\"', '"'))
    return found


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<[^>]*\blang="id"[^>]*>.*?</[a-z0-9]+>', " ", page, flags=re.S)  # marked as Indonesian
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def test_public_pages_are_fully_english_when_english_is_chosen(client, settings):
    settings.DEBUG = False
    msgids = indonesian_msgids()
    assert len(msgids) > 150
    client.cookies.load({"django_language": "en"})
    pages = {}
    for url in ["/", "/lapor/", "/lapor/darurat/", "/lapor/cek/", "/layanan/", "/tidak-ada/"]:
        pages[url] = client.get(url).content.decode()
    for step in ["pelapor", "bahaya", "kejadian", "korban", "lokasi", "waktu", "pelaku", "kontak"]:
        pages[f"/lapor/{step}/ (errors)"] = client.post(f"/lapor/{step}/", {"incident_date": "x"}).content.decode()
    fill_steps(client)
    for step in ["pelapor", "kejadian", "kontak", "bukti", "ringkasan"]:
        pages[f"/lapor/{step}/"] = client.get(f"/lapor/{step}/").content.decode()
    reference, codename = submit(client)
    pages["/lapor/selesai/ (again)"] = client.get("/lapor/selesai/").content.decode()
    client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    pages["/lapor/cek/ (thread)"] = client.get("/lapor/cek/").content.decode()
    untranslated = []
    for url, page in pages.items():
        if not page:  # a redirect: the step had nothing to complain about
            continue
        assert 'lang="en"' in page, url
        text = visible_text(page)
        lines = {line.strip() for line in text.splitlines() if line.strip()}
        for msgid in msgids:
            if msgid in lines or (len(msgid) > 25 and msgid in text):
                untranslated.append((url, msgid))
        # sentences that never reached the catalogue: common Indonesian words
        for word in INDONESIAN_WORDS:
            for line in lines:
                if re.search(rf"\b{word}\b", line):
                    untranslated.append((url, line))
    assert untranslated == [], untranslated
