"""Helpers for the WhatsApp channel tests: signed webhook calls, payload builders, the outbox."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
SECRET = "uji-rahasia-aplikasi-meta-0123456789"
OTHER_SECRET = "rahasia-lama-yang-sudah-diganti-987"
VERIFY = "token-verifikasi-uji-abcdef123456"
SENDER = "6281234567890"
PHONE = "+" + SENDER
URL = "/webhooks/whatsapp"
_ids = itertools.count(1)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body: bytes | dict[str, Any], *, secret: str | None = SECRET, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {}
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    elif secret is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign(raw, secret)
    return client.post(URL, data=raw, content_type="application/json", **headers)


def envelope(messages: list[dict[str, Any]] | None = None, statuses: list[dict[str, Any]] | None = None,
             sender: str = SENDER) -> dict[str, Any]:
    """One delivery in the Cloud API's shape (as in tests/fixtures/whatsapp/text.json)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "622540000129", "phone_number_id": "1122334455667"},
        "contacts": [{"profile": {"name": "Nama Uji"}, "wa_id": sender}],
    }
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "1234567890987654321", "changes": [{"value": value, "field": "messages"}]}]}


class Clock:
    """Message timestamps that go forward one second per message."""

    def __init__(self) -> None:  # shortly before now: inside WhatsApp's 24-hour customer-service window
        self.now = int(time.time()) - 600

    def tick(self) -> str:
        self.now += 1
        return str(self.now)


CLOCK = Clock()


def message(kind: str, *, sender: str = SENDER, ts: str | None = None, mid: str | None = None, **content: Any):
    msg: dict[str, Any] = {"from": sender, "id": mid or f"wamid.UJI{next(_ids):08d}", "timestamp": ts or CLOCK.tick(),
                           "type": kind}
    msg.update(content)
    return msg


def text(body: str, **kw: Any) -> dict[str, Any]:
    return message("text", text={"body": body}, **kw)


# A tap answers one of our messages: the Cloud API names it in ``context`` (as in fixtures/whatsapp/list_reply.json).
CONTEXT = {"from": "1122334455667", "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQUVTVFU="}


def button(reply_id: str, title: str = "x", **kw: Any) -> dict[str, Any]:
    return message("interactive", context=CONTEXT,
                   interactive={"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}, **kw)


def pick(reply_id: str, title: str = "x", description: str = "", **kw: Any) -> dict[str, Any]:
    row = {"id": reply_id, "title": title, **({"description": description} if description else {})}
    return message("interactive", context=CONTEXT, interactive={"type": "list_reply", "list_reply": row}, **kw)


def image(media_id: str, **kw: Any) -> dict[str, Any]:
    return message("image", image={"mime_type": "image/jpeg", "sha256": "x", "id": media_id}, **kw)


def run_worker() -> None:
    """The real thing: `salingsapa worker --burst` (needs a transactional test: it manages connections)."""
    call_command("worker", "--burst", "--no-periodic", verbosity=0)


def run_jobs() -> None:
    """The queued jobs run in this test's transaction, as the worker would run them (ready ones, in order)."""
    while True:
        ready = list(DBTaskResult.objects.filter(status="READY").filter(
            Q(run_after__year=9999) | Q(run_after__lte=timezone.now())).order_by("enqueued_at", "pk"))
        if not ready:
            return
        for result in ready:
            import_string(result.task_path).call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            DBTaskResult.objects.filter(pk=result.pk).update(status="SUCCESSFUL")


def with_new_ids(payload: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(payload)
    for entry in payload["entry"]:
        for change in entry["changes"]:
            for msg in change["value"].get("messages", []):
                msg["id"] = f"wamid.UJI{next(_ids):08d}"
    return payload


class Outbox:
    """The lines the file transport wrote (one Cloud API body per message)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_upto = 0

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def new(self) -> list[dict[str, Any]]:
        lines = self.all()
        fresh = lines[self.read_upto:]
        self.read_upto = len(lines)
        return fresh


def body_text(out: dict[str, Any]) -> str:
    if out.get("type") == "text":
        return out["text"]["body"]
    if out.get("type") == "interactive":
        return out["interactive"]["body"]["text"]
    return json.dumps(out)


def reply_ids(out: dict[str, Any]) -> list[str]:
    inter = out.get("interactive") or {}
    action = inter.get("action") or {}
    if inter.get("type") == "button":
        return [b["reply"]["id"] for b in action["buttons"]]
    if inter.get("type") == "list":
        return [r["id"] for s in action["sections"] for r in s["rows"]]
    return []


def whatsapp_on(settings, tmp_path) -> Outbox:
    """The channel on with the test secrets; the outbox file the transport writes to."""
    settings.WHATSAPP_ENABLED = True
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY
    outbox = tmp_path / "outbox.jsonl"
    settings.NOTIFY_TRANSPORT = "file"  # notify's file transport: one Cloud API body per line
    settings.OUTBOX_FILE = str(outbox)
    return Outbox(outbox)


class Chat:
    """A person on WhatsApp: each message is one signed webhook call, then the jobs run."""

    def __init__(self, client, outbox, *, worker=run_jobs):
        self.client, self.outbox, self.worker = client, outbox, worker
        self.last: list[dict] = []

    def send(self, message: dict) -> list[dict]:
        assert post(self.client, envelope([message])).status_code == 200
        self.worker()
        self.last = self.outbox.new()
        assert all(out["to"] == SENDER and out["messaging_product"] == "whatsapp" for out in self.last)
        return self.last

    def say(self, body: str) -> list[dict]:
        return self.send(text(body))

    def tap(self, reply_id: str) -> list[dict]:
        """Tap a button or a list row that the last reply offered (and only such)."""
        offered = [i for out in self.last for i in reply_ids(out)]
        assert reply_id in offered, (reply_id, offered)
        for out in self.last:  # WhatsApp sends back the tapped row's or button's own title
            action = (out.get("interactive") or {}).get("action") or {}
            for section in action.get("sections", []):
                for row in section["rows"]:
                    if row["id"] == reply_id:
                        return self.send(pick(reply_id, row["title"], row.get("description", "")))
            for item in action.get("buttons", []):
                if item["reply"]["id"] == reply_id:
                    return self.send(button(reply_id, item["reply"]["title"]))
        raise AssertionError(reply_id)

    def first_id(self, prefix: str = "v:") -> str:
        return next(i for out in self.last for i in reply_ids(out) if i.startswith(prefix))

    @property
    def text(self) -> str:
        return "\n".join(body_text(out) for out in self.last)


def start(client, outbox: Outbox, *taps: str, worker=run_jobs) -> Chat:
    """A person who says "halo" on WhatsApp, then taps each of ``taps`` (menu rows, buttons) in turn."""
    chat = Chat(client, outbox, worker=worker)
    chat.say("halo")
    for reply_id in taps:
        chat.tap(reply_id)
    return chat
