"""Runs `salingsapa worker` in a child process against the test database (used by test_worker.py).

``--pause FLAG`` makes the export job stop after its first row: it writes its progress, touches
FLAG and sleeps, so the test can SIGKILL the worker mid-job. ``-- state`` prints, as JSON, the export
jobs, tasks and export audit entries this process sees. Not collected by pytest."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "salingsapa.test_settings"


def main() -> None:
    args = sys.argv[1:]
    db_name = args[args.index("--db") + 1]
    pause = args[args.index("--pause") + 1] if "--pause" in args else None
    command = args[args.index("--") + 1:]

    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name  # the test database, not the default one
    import django

    django.setup()
    if pause:
        from salingsapa.stats import exports, jobs

        jobs.PROGRESS_EVERY = 1
        original = exports.export_run

        def paused(**kwargs):
            tick = kwargs["progress"]

            def first_row_then_wait(n: int) -> None:
                tick(n)
                from django.db import connection as conn

                from salingsapa.stats.models import ExportJob

                seen = list(ExportJob.objects.values_list("pk", "status", "rows_done"))
                env = {k: v for k, v in os.environ.items() if k.startswith(("SALINGSAPA_", "DATABASE", "DJANGO"))}
                Path(pause).write_text(f"{conn.settings_dict['NAME']} {seen} in_atomic={conn.in_atomic_block} "
                                       f"autocommit={conn.get_autocommit()} {env}")
                time.sleep(3600)

            kwargs["progress"] = first_row_then_wait
            return original(**kwargs)

        exports.export_run = paused
    if command == ["state"]:  # print what this process sees, for the test to compare
        import json

        from django_tasks_db.models import DBTaskResult

        from salingsapa.core.models import AuditEvent
        from salingsapa.stats.models import ExportJob

        print(json.dumps({
            "jobs": [list(j) for j in ExportJob.objects.values_list("pk", "status", "rows_done", "rows_total", "token")],
            "tasks": [[t[0], len(t[1])] for t in DBTaskResult.objects.values_list("status", "worker_ids")],
            "exports_audited": AuditEvent.objects.filter(action="export", object_type="stats.export").count(),
        }))
        return
    from django.core.management import call_command

    call_command(*command)


if __name__ == "__main__":
    main()
