"""Reading a Cloud API webhook delivery into plain records (no database, no network).

A delivery batches: ``entry[]`` → ``changes[]`` → ``value`` with ``messages[]`` and/or
``statuses[]``. Every level is looped over (some libraries read only the first). Anything that is
not in the documented shape is skipped, never raised: one odd item must not lose the others.
Message types: ``text``; ``interactive`` with ``button_reply`` or ``list_reply``; ``button`` (a
template's quick-reply button); ``image``, ``audio`` (``voice: true`` for a voice note),
``document``; ``location``; every other type (``sticker``, ``video``, ``contacts``, ``reaction``,
``unsupported``, …) becomes an ``unsupported`` record that gets a polite reply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

MEDIA_KINDS = ("image", "audio", "document")


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str  # the wa_id: digits of the international number, no "+"
    sent_at: dt.datetime
    kind: str  # text | choice | media | location | unsupported
    raw_type: str = ""
    text: str = ""
    choice_id: str = ""  # interactive reply id or quick-reply payload
    media_id: str = ""
    media_kind: str = ""  # image | audio | voice | document
    mime: str = ""
    filename: str = ""


@dataclass(frozen=True)
class Status:
    provider_id: str
    status: str  # sent | delivered | read | failed (| played, …: passed on as it is)
    at: dt.datetime
    error_code: int | None = None
    error_title: str = ""


def _ts(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(str(value)), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_message(item: Any) -> Inbound | None:
    msg = _dict(item)
    message_id, sender, sent_at = _str(msg.get("id")), _str(msg.get("from")), _ts(msg.get("timestamp"))
    if not message_id or not sender or sent_at is None:
        return None
    kind = _str(msg.get("type"))
    base: dict[str, Any] = {"message_id": message_id, "sender": sender, "sent_at": sent_at, "raw_type": kind[:20]}
    if kind == "text":
        return Inbound(kind="text", text=_str(_dict(msg.get("text")).get("body")), **base)
    if kind == "interactive":
        inter = _dict(msg.get("interactive"))
        sub = _str(inter.get("type"))
        if sub in {"button_reply", "list_reply"}:
            reply = _dict(inter.get(sub))
            if _str(reply.get("id")):
                return Inbound(kind="choice", choice_id=_str(reply.get("id")), text=_str(reply.get("title")), **base)
        return Inbound(kind="unsupported", **base)
    if kind == "button":  # a template's quick-reply button
        button = _dict(msg.get("button"))
        payload, text = _str(button.get("payload")), _str(button.get("text"))
        if payload:
            return Inbound(kind="choice", choice_id=payload, text=text, **base)
        return Inbound(kind="text", text=text, **base)
    if kind in MEDIA_KINDS:
        media = _dict(msg.get(kind))
        if not _str(media.get("id")):
            return Inbound(kind="unsupported", **base)
        media_kind = "voice" if kind == "audio" and media.get("voice") is True else kind
        return Inbound(kind="media", media_id=_str(media.get("id")), media_kind=media_kind,
                       mime=_str(media.get("mime_type")), filename=_str(media.get("filename")),
                       text=_str(media.get("caption")), **base)
    if kind == "location":
        return Inbound(kind="location", **base)  # coordinates are not kept: we ask for the kelurahan
    return Inbound(kind="unsupported", **base)


def parse_status(item: Any) -> Status | None:
    st = _dict(item)
    provider_id, status, at = _str(st.get("id")), _str(st.get("status")), _ts(st.get("timestamp"))
    if not provider_id or not status or at is None:
        return None
    code: int | None = None
    title = ""
    for error in _list(st.get("errors"))[:1]:
        err = _dict(error)
        raw_code = err.get("code")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
        title = _str(err.get("title"))[:200]
    return Status(provider_id=provider_id, status=status[:20], at=at, error_code=code, error_title=title)


def parse_delivery(payload: Any) -> tuple[list[Inbound], list[Status]]:
    """Every message and status in every entry and change, messages in the order they were sent."""
    messages: list[Inbound] = []
    statuses: list[Status] = []
    for entry in _list(_dict(payload).get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            if change.get("field", "messages") != "messages":
                continue
            value = _dict(change.get("value"))
            for item in _list(value.get("messages")):
                if (parsed := parse_message(item)) is not None:
                    messages.append(parsed)
            for item in _list(value.get("statuses")):
                if (status := parse_status(item)) is not None:
                    statuses.append(status)
    messages.sort(key=lambda m: m.sent_at)  # stable: same second keeps the delivery's order
    statuses.sort(key=lambda s: s.at)
    return messages, statuses
