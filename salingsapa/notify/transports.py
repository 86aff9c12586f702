"""Notification transports, chosen by ``settings.NOTIFY_TRANSPORT``.

* ``console``: one JSON line per message on the ``salingsapa.notify`` logger (development).
* ``file``: appends one JSON object per line to ``settings.NOTIFY_FILE`` (tests and demos).
* ``none``: drops messages (a deployment that has not configured a channel yet).

Real channels (WhatsApp, SMS, email) add a class here with the same ``send`` method and are
gated behind their own enable flag in settings.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("salingsapa.notify")


@dataclass
class Notification:
    to: str  # a staff username or a channel address; never a victim's details
    subject: str
    body: str
    kind: str = "info"
    data: dict[str, Any] = field(default_factory=dict)  # references only, no personal data
    at: str = ""

    def as_json(self) -> str:
        payload = asdict(self)
        payload["at"] = payload["at"] or timezone.now().isoformat(timespec="seconds")
        return json.dumps(payload, ensure_ascii=False, sort_keys=True)


class Transport(Protocol):
    name: str

    def send(self, notification: Notification) -> None: ...


class ConsoleTransport:
    name = "console"

    def send(self, notification: Notification) -> None:
        logger.warning("notification %s", notification.as_json())


class FileTransport:
    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def send(self, notification: Notification) -> None:
        line = notification.as_json() + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


class NullTransport:
    name = "none"

    def send(self, notification: Notification) -> None:
        return None


def get_transport() -> Transport:
    name = getattr(settings, "NOTIFY_TRANSPORT", "console")
    if name == "file":
        return FileTransport(settings.NOTIFY_FILE)
    if name == "none":
        return NullTransport()
    return ConsoleTransport()
