"""English complete (issue 10, item 11): every named staff and public page, rendered in English for a signed-in
persona, shows no Indonesian text that the catalogues translate and no raw slug or username.

The Indonesian strings looked for are (a) every msgid of the project's English catalogues whose English msgstr
differs from it, and (b) every Indonesian code-list label whose English label differs. A page that shows one of
them in English has either an untranslated string or a label rendered without the reader's language.
"""

from __future__ import annotations

import datetime as dt
import gettext
import html as htmllib
import io
import re
from pathlib import Path

import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone
from pypdf import PdfReader

from salingsapa.accounts.models import Organisation
from salingsapa.cases import services as case_services
from salingsapa.cases.models import Alert, Deadline
from salingsapa.core.codelists import CODE_LISTS
from salingsapa.core.models import Region
from salingsapa.network import services as network_services
from salingsapa.public.forms import STEP_SLUGS
from salingsapa.stats import services as stats_services
from salingsapa.stats.models import ExportJob
from tests.casework_helpers import make_report, verified_client
from tests.reporting import STEP_DATA, fill_steps, submit

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parent.parent / "salingsapa"
WORD = re.compile(r"[A-Za-zÀ-ÿ]")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")

# Words that are the same in both languages or proper names of the installation (organisations, places, laws):
# a msgid made only of these says nothing about whether the page was translated.
NOT_EVIDENCE = {
    "Saling Sapa", "UPTD PPA", "SIMFONI-PPA", "UU TPKS", "NIK", "Email", "Status", "Trafficking", "Online",
    "Bahasa", "Bahasa Indonesia",  # the language switch names the language in its own words
}


def _catalogue_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for mo in PACKAGE.glob("**/locale/en/LC_MESSAGES/django.mo"):
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for msgid, msgstr in catalogue.items():
            if not isinstance(msgid, str) or not msgid or not isinstance(msgstr, str):
                continue
            msgid = msgid.split("\x04", 1)[-1]  # drop a msgctxt
            pairs.setdefault(msgid, msgstr)
    return pairs


def _fragments(text: str) -> list[str]:
    """The literal pieces of a msgid long enough to be told apart from English (placeholders and tags removed)."""
    text = re.sub(r"<[^>]+>", " ", text)
    pieces = []
    for piece in PLACEHOLDER.split(text):
        piece = " ".join(piece.split()).strip(" .,:;()—-·")
        if len(piece) >= 4 and WORD.search(piece):
            pieces.append(piece)
    return pieces


MARKED = [
    re.compile(r'\{%\s*(?:translate|trans)\s+"([^"]+)"'), re.compile(r"\{%\s*(?:translate|trans)\s+'([^']+)'"),
    re.compile(r'\b(?:_|gettext|gettext_lazy|gettext_noop|pgettext|pgettext_lazy)\(\s*(?:"[^"]*",\s*)?"([^"]+)"'),
    re.compile(r'\{%\s*blocktranslate[^%]*%\}(.*?)\{%\s*endblocktranslate', re.S),
]


def _marked_in_source() -> set[str]:
    """Every string the code marks for translation (templates and Python), whether the catalogue has it or not."""
    marked: set[str] = set()
    for path in [*PACKAGE.glob("**/*.html"), *PACKAGE.glob("**/*.py"), *PACKAGE.glob("**/*.txt")]:
        if "migrations" in path.parts or "locale" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in MARKED:
            marked.update(m.group(1) for m in pattern.finditer(source))
    return marked


def indonesian_strings() -> set[str]:
    found: set[str] = set()
    english_words: set[str] = set()
    pairs = _catalogue_pairs()
    for msgid, msgstr in pairs.items():
        english_words.update(w.lower() for w in re.findall(r"[A-Za-z]+", msgstr))
        if msgstr and msgstr.strip() != msgid.strip():
            found.update(_fragments(msgid))
    for marked in _marked_in_source():
        msgid = re.sub(r"\{\{\s*([a-z_]+)\s*\}\}", r"%(\1)s", marked)  # blocktranslate stores {{ x }} as %(x)s
        if not pairs.get(msgid):
            found.update(_fragments(msgid))
    for entries in CODE_LISTS.values():
        for entry in entries:
            indonesian, english = entry[1], entry[2]
            if indonesian != english:
                found.update(_fragments(indonesian))
    # a one-word piece that is also an English word of the catalogues ("Media", "Data", "Online") proves nothing
    return {
        s for s in found
        if s not in NOT_EVIDENCE and not (" " not in s and s.lower() in english_words)
    }


RAW = [
    # slugs of code lists and enums, and internal prefixes, that must be shown as labels
    re.compile(r"\b(?:sesi-konseling|asesmen-psikologis|simfoni xlsx|simfoni_xlsx|home_visit|in_service|first_contact"
               r"|tpks_police|report_attached)\b"),
    re.compile(r"(?<![\w.@-])(?:phone|nik|instagram|whatsapp|telegram|other):"),  # identifier kinds as slugs
]


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<option\b[^>]*value="[^"]*"', "<option", page)
    # attribute values a reader sees or hears: title, aria-label, placeholder, alt, data-label
    attrs = " ".join(m.group(2) for m in re.finditer(r'\b(title|aria-label|placeholder|alt|data-label)="([^"]*)"', page))
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(htmllib.unescape(page + " " + attrs).split())


def untranslated(text: str, strings: set[str]) -> list[str]:
    hits = []
    for s in strings:
        if s in text and re.search(r"(?<![\wÀ-ÿ])" + re.escape(s) + r"(?![\wÀ-ÿ])", text):
            hits.append(s)
    # report the longest pieces only (a hit "Kasus dibuka" also contains the hit "Kasus")
    return sorted(h for h in hits if not any(h != o and h in o for o in hits))


def raw_leaks(text: str, usernames: list[str]) -> list[str]:
    leaks = [m.group(0) for pattern in RAW for m in pattern.finditer(text)]
    for name in usernames:
        if re.search(r"(?<![\w@.-])" + re.escape(name) + r"(?![\w@-])", text):
            leaks.append(f"username {name}")
    return leaks


def test_the_catalogue_check_would_catch_indonesian():
    strings = indonesian_strings()
    assert "Antrean pengaduan" in strings and "Sesi konseling" in strings and "Seksual" in strings
    assert untranslated(visible_text("<h1>Antrean pengaduan</h1><p>Report queue</p>"), strings) == ["Antrean pengaduan"]
    assert untranslated(visible_text("<h1>Report queue</h1><p>Sexual · Counselling session</p>"), strings) == []
    assert raw_leaks("Kunjungan oleh manajer1 · sesi-konseling", ["manajer1"]) == ["sesi-konseling", "username manajer1"]
    assert raw_leaks("Perpetrator phone: +6281234567890 · instagram: x.y", []) == ["phone:", "instagram:"]
    assert raw_leaks("Phone number: +6281234567890 · Instagram: x.y", []) == []


# --- the pages ---------------------------------------------------------------------------------------------------

def _walk(patterns, ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


# Named URLs that are not pages to read: actions (POST only) and sign-in steps before the second factor.
# Files (PDFs) are read in English below (``test_pdfs_follow_the_readers_language``); every other named URL is a
# page rendered here, the public report steps with a draft in the session and the receipt after sending it.
NOT_PAGES = {
    "healthz", "whatsapp_webhook", "staff:logout", "staff:login_verify", "staff:login_enrol", "staff:report_action", "staff:case_action",
    "network:case_referrals_action", "network:referral_action", "network:conference_action", "network:evidence_hide",
    "stats:snapshot_approve", "public_followup_message", "public_followup_files", "public_followup_logout",
    "public_leave", "set_language", "field:sync",
    "field:key", "field:manifest", "field:service_worker",  # JSON and a script of the field app, no page
    "outreach:visit_action", "outreach:booking_action", "outreach_done", "outreach_manage_cancel",
    "outreach_manage_move", "outreach_manage_logout",
    "staff_outbound:report_do_not_contact",
}
# awareness pages with an id or slug: rendered in English by tests/test_awareness_english.py
ELSEWHERE = {
    "awareness:event", "awareness:event_edit", "awareness:event_print", "awareness:material",
    "awareness:material_delete", "awareness:article", "awareness:article_edit", "awareness:article_action",
    "awareness:article_image", "public_article", "public_article_image",
    # mobile-counselling pages of one visit or booking: rendered in English by tests/test_outreach_english.py
    "outreach_poster", "outreach_book", "outreach:visit", "outreach:visit_edit", "outreach:booking",
    # field pages of one visit: rendered in English by tests/test_fieldwork_sessions.py
    "field:visit", "field:visit_sessions",
}
SIGNED_OUT = {"staff:login"}  # read before signing in
FILES = {"staff:case_document", "network:referral_letter", "network:conference_minutes", "network:evidence_view",
         "network:evidence_download", "stats:report_pdf", "stats:export_download"}


# What people typed in the world below (and in the public form's test answers): shown as typed, not translated.
TYPED = {"Sesi uji", "Kunjungan", "Telepon", "Sesi pertama", "Belum selesai", "Uji terminasi", "Penilaian uji",
         "Pendampingan", "Laporan ulang", "Belum ditangani", "pelaku.uji", "pelaku@example.org",
         STEP_DATA["kejadian"]["narrative"]}


@pytest.fixture
def world(supervisor, case_manager, intake_officer, partner_psychologist, psychology_org):
    """A case with something on every part of its page and every kind of timeline entry: notes, tasks, deadlines,
    an assessment, a plan, a closure refused, a referral with a delivered service, a conference, alerts; a report
    with perpetrator identifiers; a statistics snapshot and an export job."""
    for user, username, name in ((supervisor, "spv1", ("Siti", "Rahmawati")), (case_manager, "manajer1", ("Dewi", "Lestari")),
                                 (intake_officer, "petugas1", ("Budi", "Santoso")),
                                 (partner_psychologist, "psikolog1", ("Rina", "Kusuma"))):
        user.username, (user.first_name, user.last_name) = username, name
        user.save(update_fields=["username", "first_name", "last_name"])
    report = make_report(contact_name="Sari Dewi", violence_forms=["seksual"], narrative="Test narrative",
                         identifiers=[("phone", "0812 3456 7890"), ("instagram", "@pelaku.uji")])
    queued = make_report(violence_forms=["fisik"], narrative="Belum ditangani",
                         identifiers=[("phone", "0812 3456 7891"), ("email", "pelaku@example.org")])
    Deadline.objects.filter(report=queued).update(due_at=timezone.now() - dt.timedelta(hours=36))
    case = case_services.case_open(actor=supervisor, report=report, case_manager=case_manager)
    second = make_report(violence_forms=["psikis"], narrative="Laporan ulang")
    case_services.report_attach(actor=supervisor, report=second, case=case)
    case_services.case_note_add(actor=case_manager, case=case, kind="counselling", body="Sesi uji")
    task = case_services.task_create(actor=case_manager, case=case, title="Kunjungan", assigned_to=case_manager,
                                     due_at=timezone.now() + dt.timedelta(days=2))
    case_services.task_create(actor=case_manager, case=case, title="Telepon", assigned_to=case_manager,
                              due_at=timezone.now() + dt.timedelta(days=3))
    case_services.task_complete(actor=case_manager, task=task)
    case_services.case_police_consent_record(actor=case_manager, case=case, consent=True, expected_version=None)
    case_services.case_transition(actor=case_manager, case=case, to_status="assessment", expected_version=None)
    case.refresh_from_db()
    case_services.risk_assessment_record(actor=case_manager, case=case, answers={}, override_level="high",
                                         override_reason="Penilaian uji", expected_version=case.version)
    case.refresh_from_db()
    case_services.case_transition(actor=case_manager, case=case, to_status="planning", expected_version=case.version)
    case.refresh_from_db()
    case_services.service_plan_submit(actor=case_manager, case=case, goals="Pendampingan", services=["psikologis"],
                                      expected_version=case.version)
    case.refresh_from_db()
    closure = case_services.case_close_request(actor=case_manager, case=case, reason="Uji terminasi",
                                               expected_version=case.version)
    case_services.case_close_approve(actor=supervisor, closure=closure, approve=False, note="Belum selesai")
    case_services.case_document_add(actor=case_manager, case=case, data=b"%PDF-1.4 uji", filename="uji.pdf",
                                    content_type="application/pdf")
    case.refresh_from_db()
    victim = case.participants.get(role="victim")
    case_services.case_person_save(actor=case_manager, case=case, expected_version=case.version, role="victim",
                                   case_person=victim, full_name="Sari Dewi", sex="female", age_group="25-44")
    network_services.consent_record(actor=case_manager, case=case, victim=victim.person, given_by="victim",
                                    services=["psikologis"], recipient_organisation=psychology_org)
    referral = network_services.referral_create(actor=case_manager, case=case, organisation=psychology_org,
                                                service="psikologis")
    network_services.referral_accept(actor=partner_psychologist, referral=referral)
    network_services.service_delivery_record(actor=partner_psychologist, referral=referral,
                                             delivered_on=timezone.localdate(), kind="sesi-konseling",
                                             summary="Sesi pertama", next_steps="")
    conference = network_services.conference_schedule(
        actor=supervisor, title="Case conference SRG", scheduled_at=timezone.now() + dt.timedelta(days=3), place="Aula",
        organisations=[psychology_org], cases=[case])
    case_services.alert_create(recipients=[supervisor], kind=Alert.Kind.ASSIGNED, case=case,
                               message=f"Anda ditetapkan sebagai manajer kasus {case.number}")
    case_services.deadlines_escalate(now=timezone.now() + dt.timedelta(days=30))
    snapshot = stats_services.snapshot_prepare(user=case_manager, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
    job = ExportJob.objects.create(requested_by=supervisor, kind="simfoni", fmt="xlsx", start=dt.date(2025, 1, 1),
                                   end=dt.date(2025, 10, 31), created_at=timezone.now())
    return {"report": report, "queued": queued, "case": case, "referral": referral, "conference": conference,
            "snapshot": snapshot, "job": job,
            "users": [supervisor, case_manager, intake_officer, partner_psychologist],
            "data": sorted({str(o) for o in Organisation.objects.all()} | {o.name for o in Organisation.objects.all()}
                           | set(Region.objects.values_list("name", flat=True)) | TYPED, key=len, reverse=True)}


def _urls_for(name: str, world) -> list[str]:
    case, referral, conference = world["case"], world["referral"], world["conference"]
    incident = case.incidents.first()
    person = case.participants.first()
    args = {
        "staff:report": [world["queued"].pk], "staff:case": [case.pk], "staff:risk_assessment": [case.pk],
        "staff:service_plan": [case.pk], "staff:incident_edit": [case.pk, incident.pk],
        "staff:person_add": [case.pk], "staff:person_edit": [case.pk, person.pk],
        "network:case_referrals": [case.pk], "network:referral": [referral.pk], "network:conference": [conference.pk],
        "stats:snapshot": [world["snapshot"].pk], "stats:export_job": [world["job"].pk],
    }
    if name == "public_report_step":
        return [reverse(name, args=[step]) for step in STEP_SLUGS]
    return [reverse(name, args=args.get(name, []))]


def _pages(world) -> list[tuple[str, str]]:
    pages = []
    for name, _pattern in _walk(get_resolver().url_patterns):
        if name in NOT_PAGES or name in FILES or name in ELSEWHERE or name.startswith(("admin:", "api")):
            continue
        pages.extend((name, url) for url in _urls_for(name, world))
    return pages


# Pages that are still partly Indonesian in English; each entry is a known gap, not a pass.
KNOWN_GAPS: set[str] = set()


def _context(text: str, problem: str) -> str:
    needle = problem.removeprefix("username ")
    at = text.find(needle)
    return f"{problem!r} in '…{text[max(0, at - 30):at + len(needle) + 30]}…'" if at >= 0 else repr(problem)


def _english_client(user):
    client = verified_client(user) if user is not None else None
    if client is None:
        from django.test import Client

        client = Client()
    client.cookies["django_language"] = "en"
    return client


def _check(name: str, url: str, page: str, world, strings: set[str], failures: dict[str, list[str]]) -> None:
    assert '<html lang="en"' in page, name
    text = visible_text(page)
    for data in world["data"]:  # what people typed and the names of organisations are not catalogue text
        text = text.replace(data, " ")
    problems = untranslated(text, strings) + raw_leaks(text, [u.username for u in world["users"]])
    if problems and name not in KNOWN_GAPS:
        failures[f"{name} {url}"] = [_context(text, p) for p in problems]


def test_every_named_page_renders_in_english(world, supervisor, partner_psychologist, settings):
    strings = indonesian_strings()
    staff = _english_client(supervisor)
    partner = _english_client(partner_psychologist)
    public = _english_client(None)
    fill_steps(public)  # a draft in the session: every report step, the evidence step and the summary render
    failures: dict[str, list[str]] = {}
    seen = []
    for name, url in _pages(world):
        if name == "public_report_done":
            continue  # the receipt, after sending the draft (below)
        client = public if not url.startswith("/staf/") or name in SIGNED_OUT else staff
        if name in ("network:referral",):
            client = partner
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code != 200:
            failures[f"{name} {url}"] = [f"status {response.status_code}"]
            continue
        if "text/html" not in response["Content-Type"]:
            continue
        seen.append(name)
        _check(name, url, response.content.decode(), world, strings, failures)
    reference, codename = submit(public)
    for name, url in (("public_report_done", reverse("public_report_done")),):
        response = public.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        seen.append(name)
        _check(name, url, response.content.decode(), world, strings, failures)
    public.post(reverse("public_followup"), {"reference": reference, "codename": codename})
    response = public.get(reverse("public_followup"))
    assert reference in response.content.decode()
    _check("public_followup (thread)", reverse("public_followup"), response.content.decode(), world, strings, failures)
    named = {name for name, _pattern in _walk(get_resolver().url_patterns)
             if not (name in NOT_PAGES or name in FILES or name in ELSEWHERE or name.startswith(("admin:", "api")))}
    assert named <= set(seen), sorted(named - set(seen))
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_pdfs_follow_the_readers_language(world, supervisor):
    """The conference minutes follow the reader's language: read in English, no Indonesian catalogue sentence is
    left. The referral letter and the monthly statistics report are official Bahasa Indonesia documents of the
    office: the same Indonesian document whatever the reader's language (never a mix)."""
    strings = {s for s in indonesian_strings() if " " in s}  # sentences: PDF text wraps single words oddly
    minutes = reverse("network:conference_minutes", args=[world["conference"].pk])
    official = [reverse("network:referral_letter", args=[world["referral"].pk]),
                reverse("stats:report_pdf") + "?period=2025-10"]
    texts = {}
    for lang in ("en", "id"):
        client = _english_client(supervisor)
        client.cookies["django_language"] = lang
        for url in [minutes, *official]:
            response = client.get(url)
            assert response.status_code == 200 and response.content.startswith(b"%PDF"), (url, response.status_code)
            texts[lang, url] = re.sub(r"\d{2}:\d{2}", "", _pdf_text(response.content))
    english, indonesian = texts["en", minutes], texts["id", minutes]
    assert "Case Conference Minutes" in english and "Attendance" in english
    assert untranslated(english, strings) == [], untranslated(english, strings)
    assert "Notulen Rapat Koordinasi Kasus" in indonesian and untranslated(indonesian, strings)
    for url in official:
        assert texts["en", url] == texts["id", url], url
