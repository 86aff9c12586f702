"""Where outbound messages leave the system: WhatsApp senders, SMS gateways, email.

WhatsApp (``settings.NOTIFY_TRANSPORT``):

* ``console`` — one log line per message with its kind and the masked address (no text);
* ``file`` — appends ONE JSON line per message to ``settings.OUTBOX_FILE``: exactly the body that
  ``cloud`` POSTs to ``/{phone-number-id}/messages`` (tests and demos read it);
* ``cloud`` — the WhatsApp Business Cloud API at ``settings.WHATSAPP_API_BASE``.

The Cloud API client is a few lines of httpx rather than pywa: pywa builds the request body from
its own types (so the file transport could not promise "the same body") and fixes its base URL to
graph.facebook.com (so tests could not point it at ``tests/support/fake_graph.py``).

Errors are sorted into three kinds the send job acts on (``SendError``): temporary (network, 5xx,
throughput/rate limits: retried with backoff), outside the 24-hour window (131047: the approved
template is sent instead) and permanent (recorded with code and title, shown to staff).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger("salingsapa.notify")

# Meta error codes worth another try later (rate limits, "try again", service unavailable).
TEMPORARY_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004, 135000}
WINDOW_CLOSED = 131047  # more than 24 hours since the person's last message: only a template may go


class SendError(Exception):
    def __init__(self, code: int | None, title: str, *, temporary: bool) -> None:
        super().__init__(f"{code}: {title}")
        self.code = code
        self.title = title[:200]
        self.temporary = temporary

    @property
    def window_closed(self) -> bool:
        return self.code == WINDOW_CLOSED


class MediaUnavailable(Exception):
    """A WhatsApp media id could not be turned into bytes (unknown, expired, too large, network)."""


def _lock_append(path: Path, line: str, lock: threading.Lock) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def mask_address(address: str) -> str:
    """``+6281234567123`` → ``+62 8** **** 123``; ``nama@contoh.id`` → ``n***@***.id``. Length is not kept."""
    text = address.strip()
    if "@" in text:
        local, _at, domain = text.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***.{tld}" if tld else f"{local[:1]}***@***"
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("62") and len(digits) > 6:
        return f"+62 {digits[2]}** **** {digits[-3:]}"
    return f"+** **** {digits[-3:]}" if len(digits) > 3 else "***"


def whatsapp_body(to: str, content: dict[str, Any]) -> dict[str, Any]:
    """The full request body of ``POST /{phone-number-id}/messages``."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content}


class WhatsAppSender(Protocol):
    name: str

    def send(self, body: dict[str, Any]) -> str:
        """Send one body; return the provider's message id (wamid). Raises SendError."""
        ...


class ConsoleWhatsApp:
    name = "console"

    def send(self, body: dict[str, Any]) -> str:
        provider_id = f"wamid.console-{uuid.uuid4().hex}"
        logger.warning("whatsapp %s to %s (%s)", body.get("type"), mask_address(str(body.get("to", ""))), provider_id)
        return provider_id


class FileWhatsApp:
    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def send(self, body: dict[str, Any]) -> str:
        _lock_append(self.path, json.dumps(body, ensure_ascii=False, sort_keys=True), self._lock)
        return f"wamid.file-{uuid.uuid4().hex}"


def _graph_error(response: httpx.Response) -> SendError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    title = str(error.get("error_user_title") or error.get("message") or f"HTTP {response.status_code}")
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    if details and title.startswith("(#"):
        title = f"{title} — {details}"
    temporary = (code in TEMPORARY_CODES) or (code is None and response.status_code >= 500) or response.status_code == 429
    return SendError(code, title, temporary=temporary and code != WINDOW_CLOSED)


class CloudWhatsApp:
    """The WhatsApp Business Cloud API (Graph API)."""

    name = "cloud"

    def __init__(self, *, base: str, token: str, phone_number_id: str, timeout: float = 15.0) -> None:
        self.base = base.rstrip("/")
        self.token = token
        self.phone_number_id = phone_number_id
        self.timeout = timeout

    def _client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.timeout, headers={"Authorization": f"Bearer {self.token}"}, follow_redirects=False
        )

    def send(self, body: dict[str, Any]) -> str:
        try:
            with self._client() as client:
                response = client.post(f"{self.base}/{self.phone_number_id}/messages", json=body)
        except httpx.HTTPError as exc:
            raise SendError(None, f"network: {type(exc).__name__}", temporary=True) from None
        if response.status_code >= 400:
            raise _graph_error(response)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise SendError(None, "answer without a message id", temporary=True) from None

    def media_download(self, media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
        if not media_id or not media_id.replace("_", "").replace("-", "").isalnum():
            raise MediaUnavailable("bad media id")
        try:
            with self._client() as client:
                meta = client.get(f"{self.base}/{media_id}")
                if meta.status_code != 200:
                    raise MediaUnavailable(f"media lookup answered {meta.status_code}")
                info = meta.json()
                url, mime = str(info.get("url", "")), str(info.get("mime_type", ""))
                if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
                    raise MediaUnavailable("media url is not https")
                chunks, size = [], 0
                with client.stream("GET", url) as response:
                    if response.status_code != 200:
                        raise MediaUnavailable(f"media download answered {response.status_code}")
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise MediaUnavailable("media larger than the limit")
                        chunks.append(chunk)
                    mime = mime or response.headers.get("Content-Type", "application/octet-stream")
        except httpx.HTTPError as exc:
            raise MediaUnavailable(f"network: {type(exc).__name__}") from None
        except ValueError:
            raise MediaUnavailable("media lookup answer is not JSON") from None
        return b"".join(chunks), mime.split(";")[0].strip()


def cloud_client() -> CloudWhatsApp:
    return CloudWhatsApp(
        base=settings.WHATSAPP_API_BASE, token=settings.WHATSAPP_TOKEN, phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID
    )


def whatsapp_sender() -> WhatsAppSender:
    name = settings.NOTIFY_TRANSPORT
    if name == "cloud":
        return cloud_client()
    if name == "file":
        return FileWhatsApp(settings.OUTBOX_FILE)
    return ConsoleWhatsApp()  # console, and none (which drops staff notes only: a reporter's message is never dropped silently)


# --- SMS -----------------------------------------------------------------------------------------


class SmsGateway(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> str:
        """Send one SMS; return the gateway's id. Raises SendError."""
        ...


class ConsoleSms:
    name = "console"

    def send(self, *, to: str, body: str) -> str:
        provider_id = f"sms.console-{uuid.uuid4().hex}"
        logger.warning("sms to %s (%s)", mask_address(to), provider_id)
        return provider_id


class FileSms:
    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def send(self, *, to: str, body: str) -> str:
        _lock_append(self.path, json.dumps({"to": to, "message": body}, ensure_ascii=False, sort_keys=True), self._lock)
        return f"sms.file-{uuid.uuid4().hex}"


class HttpSms:
    """A generic HTTP gateway: ``POST url`` with ``{"to", "message"}`` and a bearer token; 2xx = accepted."""

    name = "http"

    def __init__(self, *, url: str, token: str, timeout: float = 15.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, *, to: str, body: str) -> str:
        try:
            response = httpx.post(
                self.url, json={"to": to, "message": body}, timeout=self.timeout,
                headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
            )
        except httpx.HTTPError as exc:
            raise SendError(None, f"network: {type(exc).__name__}", temporary=True) from None
        if response.status_code >= 400:
            temporary = response.status_code >= 500 or response.status_code == 429
            raise SendError(response.status_code, f"SMS gateway HTTP {response.status_code}", temporary=temporary)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return f"sms.{(answer.get('id') if isinstance(answer, dict) else None) or uuid.uuid4().hex}"


def sms_gateway() -> SmsGateway:
    if settings.SMS_GATEWAY == "http":
        return HttpSms(url=settings.SMS_GATEWAY_URL, token=settings.SMS_GATEWAY_TOKEN)
    if settings.SMS_GATEWAY == "file":
        return FileSms(settings.SMS_OUTBOX_FILE)
    return ConsoleSms()


# --- email ---------------------------------------------------------------------------------------


def email_send(*, to: str, subject: str, body: str) -> str:
    try:
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    except OSError as exc:  # SMTP errors are OSError subclasses (smtplib.SMTPException)
        raise SendError(None, f"email: {type(exc).__name__}", temporary=True) from None
    return f"email.{uuid.uuid4().hex}"
