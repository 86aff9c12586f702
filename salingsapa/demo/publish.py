"""Publish the seed article's statistics (Jan–Okt 2025) so ``/statistik/`` is not empty in the demo.

Four eyes, as in real use: a case manager prepares the snapshot and the supervisor approves it;
approval runs the same differencing check as the staff page (``stats/disclosure.py``).
"""

from __future__ import annotations

import datetime as dt

from salingsapa.accounts.models import User
from salingsapa.stats import services as stats_services
from salingsapa.stats.models import PublishedSnapshot

ARTICLE_PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 10, 31))
PREPARER, APPROVER = "manajer1", "supervisor"


def publish_article_snapshot() -> tuple[PublishedSnapshot | None, str]:
    """(snapshot, message). Does nothing when that period is already public."""
    start, end = ARTICLE_PERIOD
    existing = PublishedSnapshot.objects.filter(period_start=start, period_end=end, approved_at__isnull=False).first()
    if existing is not None:
        return existing, f"Statistik publik {existing.label} sudah terbit."
    preparer = User.objects.get(username=PREPARER)
    approver = User.objects.get(username=APPROVER)
    snapshot = stats_services.snapshot_prepare(user=preparer, start=start, end=end)
    for _attempt in range(3):
        try:
            stats_services.snapshot_approve(user=approver, snapshot=snapshot)
        except stats_services.SnapshotChanged:
            snapshot.refresh_from_db()
            continue
        except stats_services.SnapshotRefused as exc:
            return None, f"Statistik publik tidak diterbitkan: {exc}"
        snapshot.refresh_from_db()
        return snapshot, f"Statistik publik {snapshot.label} diterbitkan (disiapkan {PREPARER}, disetujui {APPROVER})."
    return None, "Statistik publik tidak diterbitkan: pemeriksaan selisih tidak selesai."
