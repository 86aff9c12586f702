from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the app with the Waitress WSGI server (static files through WhiteNoise)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--jobs-every", type=int, default=0, metavar="SECONDS",
            help="also run the periodic jobs in a background thread every SECONDS (the demo uses 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from salingsapa.wsgi import application

        if options["jobs_every"] > 0:
            import os
            import threading

            from django.core.management import call_command

            quiet = open(os.devnull, "w")  # noqa: SIM115  (lives as long as the thread; failures still go to stderr)
            threading.Thread(
                target=call_command, args=("jobs",),
                kwargs={"loop": options["jobs_every"], "verbosity": 0, "stdout": quiet},
                daemon=True, name="salingsapa-jobs",
            ).start()

        self.stdout.write(f"Saling Sapa: http://{options['host']}:{options['port']}/  (Ctrl+C to stop)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="salingsapa")
