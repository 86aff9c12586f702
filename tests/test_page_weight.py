"""The report form's pages stay light (<= 60 KB transferred each) and load nothing from elsewhere."""

from __future__ import annotations

from bench.page_weight import BUDGET_BYTES, _subresources, measure


def test_every_report_form_page_is_within_budget_and_has_no_external_requests(client, db):
    results = measure(client)
    names = {r.name for r in results}
    assert {"home", "step pelapor (empty)", "step lokasi (empty)", "step bukti", "summary", "receipt"} <= names
    for r in results:
        assert r.status in {200, 400}, (r.name, r.status)
        assert r.external == [], (r.name, r.external)
        assert r.served <= BUDGET_BYTES, (r.name, r.served)
        assert any("public.css (200)" in x for x in r.resources)  # the stylesheet really was found


def test_subresource_finder_sees_external_loads_but_not_plain_links():
    html = ('<link rel="stylesheet" href="https://cdn.example/x.css"><a href="https://wa.me/1">wa</a>'
            '<script src="/static/a.js"></script><img src="data:,"><link rel="icon" href="/f.ico">')
    assert _subresources(html) == ["https://cdn.example/x.css", "/static/a.js", "/f.ico"]
