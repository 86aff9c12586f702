"""Measure the staff pages that grow with the data: intake queue, case list, case record, supervisor view.

    .venv/bin/python -m bench.case_pages [--reports 1000] [--cases 1000]

Runs against a throwaway SQLite database (or DATABASE_URL) in a temporary data folder; prints the
median time and the number of SQL queries per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("SALINGSAPA_DATA_DIR", tempfile.mkdtemp(prefix="salingsapa-bench-"))
os.environ.setdefault("SALINGSAPA_FAST_HASHING", "true")
os.environ.setdefault("SALINGSAPA_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        call_command("migrate", verbosity=0)
        import datetime as dt
        import random

        from django.utils import timezone

        from salingsapa.accounts.models import Organisation, Role, User
        from salingsapa.cases import services
        from tests.casework_helpers import make_report, verified_client

        org = Organisation.objects.create(name="UPTD PPA Kota Serang", kind="uptd_ppa")
        manager = User.objects.create_user("manajer", password="x" * 16, role=Role.CASE_MANAGER, organisation=org)
        boss = User.objects.create_user("supervisor", password="x" * 16, role=Role.SUPERVISOR, organisation=org)
        rng = random.Random(7)
        now = timezone.now()
        started = time.perf_counter()
        for i in range(args.reports + args.cases):
            report = make_report(received_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 365)),
                                 risk_level=rng.choice(["", "low", "medium", "high"]), is_emergency=rng.random() < 0.05,
                                 violence_forms=rng.sample(["fisik", "psikis", "seksual", "penelantaran"], 2),
                                 contact_phone=f"0812{i:08d}")
            if i >= args.reports:
                case = services.case_open(actor=manager, report=report, case_manager=manager if i % 3 else None)
                services.case_note_add(actor=manager, case=case, kind="contact", body="Kontak pertama.")
        seeded = time.perf_counter() - started
        case_id = services.case_open(actor=manager, report=make_report()).pk
        for _ in range(30):
            services.case_note_add(actor=manager, case=services.Case.objects.get(pk=case_id), kind="other", body="x" * 500)

        pages = {
            "queue (page 1)": (manager, "/staf/pengaduan/"),
            "queue, phone search": (manager, "/staf/pengaduan/?identifier_kind=phone&identifier=081200000007"),
            "case list (page 1)": (manager, "/staf/kasus/"),
            "case list, filtered": (manager, "/staf/kasus/?status=open&risk=high&violence_form=seksual&kecamatan=36.73.01"),
            "my caseload": (manager, "/staf/kasus/saya/"),
            "case record (30 notes)": (manager, f"/staf/kasus/{case_id}/"),
            "supervisor view": (boss, "/staf/supervisor/"),
        }
        print(f"seeded {args.reports} open reports and {args.cases} cases in {seeded:.1f} s "
              f"({connection.vendor})")
        print(f"{'page':28} {'median ms':>10} {'queries':>8}")
        for label, (user, url) in pages.items():
            client = verified_client(user)
            times = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(f"{label:28} {statistics.median(times):10.1f} {len(queries):8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
