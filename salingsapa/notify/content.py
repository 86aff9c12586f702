"""Message bodies, in the shapes of the WhatsApp Cloud API's ``POST /{phone-number-id}/messages``.

The builders return the body WITHOUT ``messaging_product`` and ``to`` (the sender adds both), e.g.
``{"type": "text", "text": {"body": "..."}}``. Meta's limits are checked here, so a wrong message
fails where it is written, not at 3 a.m. in the worker:

* text body ≤ 4096 characters; interactive body ≤ 1024;
* reply buttons: 1 to 3, title ≤ 20 characters, id ≤ 256, ids distinct;
* list: 1 to 10 rows, row title ≤ 24, description ≤ 72, id ≤ 200; button label ≤ 20; section title ≤ 24.

SMS and email contents are small dicts of their own (``sms_text``, ``email_message``).
"""

from __future__ import annotations

from typing import Any

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
SECTION_TITLE_MAX = 24

# The one template sent outside the 24-hour customer-service window; it must be approved by Meta
# under the name in SALINGSAPA_WHATSAPP_TEMPLATE, with exactly this text and no variables.
NEUTRAL_NOTICE = "Ada pesan baru untuk Anda di Saling Sapa. Balas CEK untuk membaca."


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _body(body: str, limit: int) -> str:
    _check(isinstance(body, str) and bool(body.strip()), "the message body is empty")
    _check(len(body) <= limit, f"the message body is longer than {limit} characters")
    return body


def whatsapp_text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": _body(body, TEXT_MAX)}}


def whatsapp_buttons(body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """Reply buttons: ``buttons`` = [(id, title), ...], 1 to 3 of them."""
    _check(1 <= len(buttons) <= BUTTONS_MAX, f"1 to {BUTTONS_MAX} reply buttons, got {len(buttons)}")
    ids = [button_id for button_id, _title in buttons]
    _check(len(set(ids)) == len(ids), "reply button ids must be distinct")
    out = []
    for button_id, title in buttons:
        _check(bool(button_id) and len(button_id) <= BUTTON_ID_MAX, f"button id empty or longer than {BUTTON_ID_MAX}")
        _check(bool(title.strip()) and len(title) <= BUTTON_TITLE_MAX, f"button title empty or longer than {BUTTON_TITLE_MAX}: {title!r}")
        out.append({"type": "reply", "reply": {"id": button_id, "title": title}})
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": _body(body, INTERACTIVE_BODY_MAX)}, "action": {"buttons": out}},
    }


def whatsapp_list(body: str, button: str, rows: list[tuple[str, str, str]], section_title: str = "") -> dict[str, Any]:
    """A list message: ``rows`` = [(id, title, description), ...], 1 to 10, in one section."""
    _check(1 <= len(rows) <= LIST_ROWS_MAX, f"1 to {LIST_ROWS_MAX} list rows, got {len(rows)}")
    _check(bool(button.strip()) and len(button) <= LIST_BUTTON_MAX, f"list button label empty or longer than {LIST_BUTTON_MAX}")
    _check(len(section_title) <= SECTION_TITLE_MAX, f"section title longer than {SECTION_TITLE_MAX}")
    ids = [row_id for row_id, _t, _d in rows]
    _check(len(set(ids)) == len(ids), "list row ids must be distinct")
    out = []
    for row_id, title, description in rows:
        _check(bool(row_id) and len(row_id) <= ROW_ID_MAX, f"row id empty or longer than {ROW_ID_MAX}")
        _check(bool(title.strip()) and len(title) <= ROW_TITLE_MAX, f"row title empty or longer than {ROW_TITLE_MAX}: {title!r}")
        _check(len(description) <= ROW_DESCRIPTION_MAX, f"row description longer than {ROW_DESCRIPTION_MAX}")
        row = {"id": row_id, "title": title}
        if description:
            row["description"] = description
        out.append(row)
    section: dict[str, Any] = {"rows": out}
    if section_title:
        section["title"] = section_title
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": _body(body, INTERACTIVE_BODY_MAX)},
            "action": {"button": button, "sections": [section]},
        },
    }


def whatsapp_template(name: str, language: str) -> dict[str, Any]:
    """A template without variables (the neutral notice)."""
    _check(bool(name), "template name is empty")
    return {"type": "template", "template": {"name": name, "language": {"code": language}}}


def sms_text(body: str) -> dict[str, Any]:
    return {"type": "sms", "body": _body(body, 640)}


def email_message(subject: str, body: str) -> dict[str, Any]:
    _check(bool(subject.strip()) and "\n" not in subject and len(subject) <= 200, "bad email subject")
    return {"type": "email", "subject": subject, "body": _body(body, 20000)}


def content_summary(content: dict[str, Any]) -> str:
    """The kind of a content, for logs and staff pages (never its text)."""
    kind = str(content.get("type", "?"))
    if kind == "interactive":
        return f"interactive/{content.get('interactive', {}).get('type', '?')}"
    return kind
