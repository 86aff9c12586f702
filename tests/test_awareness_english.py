"""The awareness pages that need a record (an event, an article) read in English with nothing left in Indonesian
(the check of tests/test_english_complete.py, on pages its walk cannot reach without an id)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from salingsapa.awareness import services
from salingsapa.core.models import Region
from tests.casework_helpers import verified_client
from tests.test_english_complete import indonesian_strings, raw_leaks, untranslated, visible_text

pytestmark = pytest.mark.django_db


def test_event_and_article_pages_in_english(case_manager, supervisor):
    for user, name in ((case_manager, ("Dewi", "Lestari")), (supervisor, ("Siti", "Rahmawati"))):
        user.first_name, user.last_name = name
        user.save(update_fields=["first_name", "last_name"])
    village = Region.objects.filter(code__startswith="36.73.01.", level=4).first()
    event = services.event_create(actor=case_manager, data={
        "title": "Event X", "topic": "online_grooming", "audiences": ["students", "patbm"], "held_on": dt.date(2025, 3, 1),
        "venue": "Hall X", "kelurahan": village, "notes": "", "female_child": 3, "male_child": 2, "female_adult": 1,
        "male_adult": 0, "female_older": 0, "male_older": 0, "participants_total": 6})
    draft = services.article_create(actor=case_manager, data={
        "slug": "x", "title_id": "Artikel X", "summary_id": "Ringkas X", "body_id": "<p>Isi X</p>", "order": 1})
    in_review = services.article_create(actor=case_manager, data={
        "slug": "y", "title_id": "Artikel Y", "summary_id": "Ringkas Y", "body_id": "<p>Isi Y</p>", "title_en": "Y",
        "summary_en": "Short Y", "body_en": "<p>Body Y</p>", "order": 2})
    services.article_submit(actor=case_manager, article=in_review)
    published = services.article_create(actor=case_manager, data={
        "slug": "z", "title_id": "Artikel Z", "summary_id": "Ringkas Z", "body_id": "<p>Isi Z</p>", "title_en": "Z",
        "summary_en": "Short Z", "body_en": "<p>Body Z</p>", "order": 3})
    services.article_submit(actor=case_manager, article=published)
    services.article_publish(actor=supervisor, article=published)
    staff = verified_client(supervisor)
    staff.cookies["django_language"] = "en"
    public = Client()
    public.cookies["django_language"] = "en"
    pages = [(staff, reverse(name, args=args)) for name, args in (
        ("awareness:events", []), ("awareness:event", [event.pk]), ("awareness:event_edit", [event.pk]),
        ("awareness:event_print", [event.pk]), ("awareness:articles", []), ("awareness:article_new", []),
        ("awareness:article", [draft.pk]), ("awareness:article", [in_review.pk]), ("awareness:article", [published.pk]),
        ("awareness:article_edit", [draft.pk]), ("stats:dashboard", []))]
    pages += [(public, reverse("public_articles")), (public, reverse("public_article", args=["z"])),
              (public, reverse("home"))]
    strings = indonesian_strings()
    data = ["Artikel X", "Ringkas X", "Isi X", "Artikel Y", "Ringkas Y", "Isi Y", "Artikel Z", "Ringkas Z", "Isi Z",
            *Region.objects.values_list("name", flat=True), *(n.title() for n in Region.objects.values_list("name", flat=True)),
            *(str(o) for o in supervisor.organisation.__class__.objects.all()),
            *(o.name for o in supervisor.organisation.__class__.objects.all())]
    failures = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert '<html lang="en"' in page, url
        text = visible_text(page)
        for d in sorted(data, key=len, reverse=True):
            text = text.replace(d, " ")
        problems = untranslated(text, strings) + raw_leaks(text, [case_manager.username, supervisor.username])
        if problems:
            failures[url] = problems
    assert not failures, failures
