"""A small stand-in for Meta's Graph API (WhatsApp Cloud API) on 127.0.0.1, for tests.

It is a real HTTP server (a thread), so the code under test makes real HTTP requests; nothing
leaves the machine. What it does:

* ``POST /{phone-number-id}/messages`` → ``{"messaging_product": "whatsapp", "contacts": [...],
  "messages": [{"id": "wamid.…"}]}``; every request (path, headers, JSON body) is kept in
  ``requests``. ``fail_next(code, times=1)`` makes the next sends answer with Meta's error JSON
  (``{"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}``) for
  130429 (throughput), 131047 (outside the 24-hour window), 131026 (undeliverable), 131056,
  or a bare HTTP 500 (``code=500``).
* ``GET /{media-id}`` → ``{"url": …, "mime_type": …, "sha256": …, "file_size": …, "id": …}`` for
  media added with ``add_media(media_id, data, mime_type)``; ``GET /media-bytes/{media-id}`` → the
  bytes. Both need ``Authorization: Bearer <token>`` when the server was given a token.

Usage (a pytest fixture is below)::

    with FakeGraph(token="t") as graph:
        settings.WHATSAPP_API_BASE = graph.base  # http://127.0.0.1:<port>/v23.0
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

ERRORS: dict[int, tuple[int, str, str]] = {  # code -> (HTTP status, message, details)
    130429: (400, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    131047: (400, "(#131047) Re-engagement message",
             "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
    131026: (400, "(#131026) Message undeliverable", "Message Undeliverable."),
    131056: (400, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
             "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."),
    131051: (400, "(#131051) Unsupported message type", "Message type is not currently supported."),
    100: (400, "(#100) Invalid parameter", "Parameter value is not valid."),
    190: (401, "Error validating access token: Session has expired", ""),
}


def error_body(code: int) -> dict[str, Any]:
    status, message, details = ERRORS[code]
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


class FakeGraph:
    def __init__(self, *, token: str = "", version: str = "v23.0") -> None:
        self.token = token
        self.version = version
        self.requests: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self._failures: list[int] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="fake-graph")

    # --- control -------------------------------------------------------------------------------
    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base(self) -> str:
        return f"{self.root}/{self.version}"

    def fail_next(self, code: int, times: int = 1) -> None:
        """The next ``times`` sends answer with error ``code`` (a Meta code, or 500 for a bare server error)."""
        with self._lock:
            self._failures.extend([code] * times)

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        self.media[media_id] = (data, mime_type)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The JSON bodies of the message sends that succeeded."""
        return [r["json"] for r in self.requests if r["method"] == "POST" and r.get("answered") == 200]

    def start(self) -> FakeGraph:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- server --------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, payload: Any = None, *, raw: bytes | None = None, mime: str = "application/json") -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if graph.token and self.headers.get("Authorization") != f"Bearer {graph.token}":
                    self._answer(401, error_body(190))
                    return False
                return True

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                record: dict[str, Any] = {"method": "POST", "path": self.path, "headers": dict(self.headers), "raw": raw}
                try:
                    record["json"] = json.loads(raw or b"null")
                except ValueError:
                    record["json"] = None
                with graph._lock:
                    graph.requests.append(record)
                    failure = graph._failures.pop(0) if graph._failures else None
                if not self._authorised():
                    record["answered"] = 401
                    return
                if not self.path.startswith(f"/{graph.version}/") or not self.path.endswith("/messages"):
                    record["answered"] = 404
                    self._answer(404, {"error": {"message": "Unknown path", "code": 100}})
                    return
                if failure == 500:
                    record["answered"] = 500
                    self._answer(500, raw=b"Internal Server Error", mime="text/plain")
                    return
                if failure is not None:
                    status = ERRORS[failure][0]
                    record["answered"] = status
                    self._answer(status, error_body(failure))
                    return
                wamid = f"wamid.FAKE{next(graph._ids):06d}"
                record["answered"], record["id"] = 200, wamid
                to = (record["json"] or {}).get("to", "")
                self._answer(200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                   "messages": [{"id": wamid}]})

            def do_GET(self) -> None:  # noqa: N802
                with graph._lock:
                    graph.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
                if not self._authorised():
                    return
                path = self.path.split("?")[0]
                if path.startswith("/media-bytes/"):
                    media_id = path.rsplit("/", 1)[-1]
                    if media_id not in graph.media:
                        self._answer(404, raw=b"", mime="text/plain")
                        return
                    data, mime = graph.media[media_id]
                    self._answer(200, raw=data, mime=mime)
                    return
                media_id = path.rsplit("/", 1)[-1]
                if path.startswith(f"/{graph.version}/") and media_id in graph.media:
                    data, mime = graph.media[media_id]
                    self._answer(200, {
                        "messaging_product": "whatsapp", "url": f"{graph.root}/media-bytes/{media_id}",
                        "mime_type": mime, "sha256": hashlib.sha256(data).hexdigest(), "file_size": len(data),
                        "id": media_id,
                    })
                    return
                self._answer(400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
                                             "fbtrace_id": "AbCdEfGhIjK"}})

        return Handler


@pytest.fixture
def fake_graph(settings):
    """A running FakeGraph with the WhatsApp settings pointed at it (cloud transport)."""
    with FakeGraph(token="test-token") as graph:
        settings.NOTIFY_TRANSPORT = "cloud"
        settings.WHATSAPP_API_BASE = graph.base
        settings.WHATSAPP_TOKEN = "test-token"
        settings.WHATSAPP_PHONE_NUMBER_ID = "1098765432"
        yield graph
