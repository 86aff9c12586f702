"""The referral figures of the staff dashboard count what their labels say (issue: 'Diterima' lost completed referrals).

Every referral is walked through the real services (accept, complete, decline, revoke, consent withdrawal), so
the counts follow the state changes a partner and a case manager make, not rows typed in a final state.
"""

from __future__ import annotations

import html

import pytest
from django.utils import timezone

from salingsapa.network import services
from salingsapa.staff.stats_views import _glance, _key_figures
from salingsapa.stats import engine
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.service_stats import service_stats
from tests.test_network import _referred

pytestmark = pytest.mark.django_db


def test_accepted_counts_every_referral_ever_accepted(case_manager, uptd, psychology_org, partner_psychologist):
    accept = lambda r: services.referral_accept(actor=partner_psychologist, referral=r)  # noqa: E731
    completed, _ = _referred(case_manager, uptd, psychology_org)
    accept(completed)
    services.referral_complete(actor=partner_psychologist, referral=completed, outcome="Korban stabil")
    still_accepted, _ = _referred(case_manager, uptd, psychology_org)
    accept(still_accepted)
    revoked_after_accept, consent = _referred(case_manager, uptd, psychology_org)
    accept(revoked_after_accept)
    services.consent_withdraw(actor=case_manager, consent=consent)
    revoked_unanswered, _ = _referred(case_manager, uptd, psychology_org)
    services.referral_revoke(actor=case_manager, referral=revoked_unanswered, reason="Korban pindah kota")
    declined, _ = _referred(case_manager, uptd, psychology_org)
    services.referral_decline(actor=partner_psychologist, referral=declined, reason="Jadwal penuh")
    _referred(case_manager, uptd, psychology_org)  # sent, not answered yet

    stats = service_stats(StatsFilter.for_year(timezone.localdate().year))
    (row,) = stats.referrals
    assert row.total == 6
    assert row.accepted == 3  # completed, still accepted, revoked after acceptance
    assert (row.declined, row.completed) == (1, 1)
    assert row.active == 2  # still accepted + still waiting for an answer: the state now
    assert row.responded_on_time + row.responded_late == 4  # three acceptances and one decline were answers

    # the dashboard's key figure and its "Dibuat / Diterima" chart read the same row
    flt = StatsFilter.for_year(timezone.localdate().year)
    summary = engine.summary(flt)
    assert _key_figures(summary)["referrals_accepted"] == 3
    chart = str(next(g for g in _glance(summary, flt) if g["anchor"] == "ref-h")["chart"])
    assert f"{row.label}: 6 (Diterima 3)" in html.unescape(chart)
