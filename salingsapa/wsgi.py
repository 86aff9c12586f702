"""The WSGI entry point (waitress via ``salingsapa serve``, or any WSGI server).

Files the service creates are private to its user (umask 077: the SQLite database, its WAL and
SHM files, sealed files). A configuration error prints one line naming the variable to stderr
and stops the process (exit status 2), never a traceback.
"""

import os
import sys

from salingsapa.config import ConfigError

os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salingsapa.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as exc:
    print(f"salingsapa: configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
