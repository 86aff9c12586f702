"""`make bench`'s table (bench/scale.py): lists and search with p95, worker memory, page weights."""

from __future__ import annotations

from bench.scale import markdown

MACHINE = {"cpus": 2, "memory_mib": 4096, "python": "3.11", "commit": "abc1234", "date": "2026-12-02"}
LISTS = {
    "meta": {"cases": 20000, "reports": 22000, "repeat": 20, "peak_rss_mib": 114},
    "load": [3.0, 2.0, 1.0],
    "load_after": [4.0, 2.0, 1.0],
    "pages": [
        {
            "page": "case list, search by whole case number",
            "median_ms": 39.0,
            "p95_ms": 45.2,
            "queries": 11,
            "slowest_query_ms": 1.0,
        },
        {"page": "intake queue", "status": 403},
        {"page": "blind-index lookup (phone → people), ORM", "median_ms": 0.33, "p95_ms": 0.6},
    ],
}


def test_the_table_has_lists_with_p95_worker_memory_and_page_weights():
    workers = {
        "seconds": 60,
        "clients": 8,
        "workers": 5,
        "requests": 900,
        "errors": 0,
        "master_rss_peak_mib": 113,
        "web_worker_rss_peak_mib": 166,
        "job_worker_rss_peak_mib": 114,
        "load": [3.0],
        "load_average_end": [5.0],
    }
    weights = {
        "pages": 14,
        "budget_bytes": 61440,
        "all_within_budget": True,
        "heaviest": "summary",
        "heaviest_served_bytes": 30000,
        "heaviest_gzip_bytes": 12000,
        "external_requests": 0,
    }
    text = markdown(
        {
            "cases": 20000,
            "machine": MACHINE,
            "postgres": "PostgreSQL 16",
            "lists": LISTS,
            "workers": workers,
            "page_weights": weights,
        }
    )
    assert "| case list, search by whole case number | 39.0 ms | 45.2 ms | 11 | 1.0 ms |" in text
    assert "| intake queue | status 403 |" in text  # a page that failed is shown, not dropped
    assert "| blind-index lookup (phone → people), ORM | 0.33 ms | 0.6 ms | — | — |" in text
    assert "one web worker **166 MiB**, of the job worker **114 MiB**" in text
    assert "heaviest summary 30,000 B served" in text and "all within: True" in text


def test_worker_memory_says_when_it_was_not_measured():
    text = markdown(
        {
            "cases": 20000,
            "machine": MACHINE,
            "postgres": "PostgreSQL 16",
            "workers": {"skipped": "no Redis at SALINGSAPA_BENCH_REDIS_URL"},
        }
    )
    assert "Worker memory: not measured (no Redis at SALINGSAPA_BENCH_REDIS_URL)." in text
