"""The ``salingsapa`` command: Django's management commands plus our own.

``salingsapa seed-demo`` and ``salingsapa seed_demo`` are the same command. A configuration
error prints one line naming the variable and exits with status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.umask(0o077)  # the database, its WAL/SHM, sealed files and keys are the service user's only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "salingsapa"

    from salingsapa.config import ConfigError

    try:
        import django

        django.setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ConfigError as exc:
        print(f"salingsapa: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
