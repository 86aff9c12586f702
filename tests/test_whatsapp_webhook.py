"""The WhatsApp webhook (issue 12 items 1 and 7): handshake, signature over the raw bytes, the
delivery stored sealed with its job, size bound, and every payload shape of Meta's documentation."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from salingsapa.channels.models import WhatsAppDelivery, WhatsAppInbound
from salingsapa.channels.whatsapp.parse import parse_delivery
from tests.whatsapp_helpers import (
    OTHER_SECRET,
    PHONE,
    SENDER,
    URL,
    VERIFY,
    envelope,
    fixture,
    fixture_bytes,
    post,
    run_jobs,
    sign,
    text,
    whatsapp_on,
)


@pytest.fixture
def whatsapp(settings, tmp_path):
    return whatsapp_on(settings, tmp_path)

pytestmark = pytest.mark.django_db


def test_handshake_answers_the_challenge_only_with_the_token(client, whatsapp):
    ok = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444" and ok["Content-Type"].startswith("text/plain")
    for params in ({"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
                   {"hub.verify_token": VERIFY, "hub.challenge": "1"}, {}):
        assert client.get(URL, params).status_code == 403


def test_channel_off_is_not_found(client, settings, whatsapp):
    settings.WHATSAPP_ENABLED = False
    assert client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"}).status_code == 404
    assert post(client, fixture_bytes("text")).status_code == 404


def test_signed_delivery_is_stored_sealed_with_its_job(client, whatsapp):
    raw = fixture_bytes("text")
    response = post(client, raw)
    assert response.status_code == 200
    [delivery] = WhatsAppDelivery.objects.all()
    assert delivery.body == raw.decode() and delivery.processed_at is None
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "salingsapa.channels.tasks.whatsapp_delivery_job"
    assert task.args_kwargs["args"] == [delivery.pk]
    with connection.cursor() as cursor:  # sealed at rest: neither the number nor the text in the column
        cursor.execute("SELECT body FROM channels_whatsappdelivery")
        stored = cursor.fetchone()[0]
    assert SENDER not in stored and "Body Text" not in stored and stored.startswith("s1:")


def test_signature_is_over_the_raw_bytes_not_a_reserialisation(client, whatsapp):
    """Indonesian text and emoji, indented JSON: signed as sent. A re-serialised body would not match."""
    payload = envelope([text("Tolong 🙏 saya takut — ini rahasia")])
    raw = json.dumps(payload, ensure_ascii=False, indent=3).encode("utf-8")
    assert json.dumps(json.loads(raw)).encode() != raw
    assert post(client, raw).status_code == 200
    assert WhatsAppDelivery.objects.get().body == raw.decode("utf-8")


@pytest.mark.parametrize("case", ["missing", "wrong", "stale", "not-hex", "no-prefix", "other-body"])
def test_bad_signatures_are_refused_and_nothing_is_stored(client, whatsapp, case):
    raw = fixture_bytes("text")
    signature = {
        "missing": None,
        "wrong": "sha256=" + "0" * 64,
        "stale": sign(raw, OTHER_SECRET),  # signed with an old (rotated) or another app's secret
        "not-hex": "sha256=zz",
        "no-prefix": sign(raw)[len("sha256="):],
        "other-body": sign(fixture_bytes("image")),
    }[case]
    response = post(client, raw, secret=None, signature=signature)
    assert response.status_code == 401
    assert not WhatsAppDelivery.objects.exists() and not DBTaskResult.objects.exists()


def test_no_secret_configured_refuses_everything(client, settings, whatsapp):
    settings.WHATSAPP_APP_SECRET = ""
    raw = fixture_bytes("text")
    assert post(client, raw, secret=None, signature="sha256=" + hashlib.sha256(raw).hexdigest()).status_code == 401
    assert not WhatsAppDelivery.objects.exists()


def test_body_size_is_bounded(client, settings, whatsapp):
    settings.WHATSAPP_WEBHOOK_MAX_BYTES = 16 * 1024
    payload = envelope([text("a" * 20_000)])
    assert post(client, payload).status_code == 413
    assert not WhatsAppDelivery.objects.exists()


def test_signed_garbage_is_a_400_and_not_stored(client, whatsapp):
    assert post(client, b"not json").status_code == 400
    assert post(client, b"[1, 2]").status_code == 400
    assert post(client, b"\xff\xfe").status_code == 400
    assert not WhatsAppDelivery.objects.exists()


def test_no_csrf_token_needed(whatsapp):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, fixture_bytes("text")).status_code == 200


# --- parsing Meta's documented shapes (fixtures from pywa's recorded webhooks) ---------------------


@pytest.mark.parametrize(("name", "kind", "expect"), [
    ("text", "text", {"text": "Body Text"}),
    ("button_reply", "choice", {"choice_id": "callback_data", "text": "title"}),
    ("list_reply", "choice", {"choice_id": "callback_data", "text": "title"}),
    ("template_quick_reply", "choice", {"choice_id": "callback_data", "text": "title"}),
    ("image", "media", {"media_id": "65463453", "media_kind": "image", "mime": "image/jpeg"}),
    ("audio", "media", {"media_id": "1234567890987654321", "media_kind": "audio"}),
    ("voice", "media", {"media_kind": "voice", "mime": "audio/ogg; codecs=opus"}),
    ("document", "media", {"media_kind": "document", "filename": "filename.pdf", "mime": "application/pdf"}),
    ("location", "location", {}),
    ("unsupported", "unsupported", {"raw_type": "unsupported"}),
    ("sticker", "unsupported", {"raw_type": "sticker"}),
    ("video", "unsupported", {"raw_type": "video"}),
    ("reaction", "unsupported", {"raw_type": "reaction"}),
])
def test_message_shapes(name, kind, expect):
    [msg], statuses = parse_delivery(fixture(name))
    assert statuses == [] and msg.kind == kind and msg.sender == SENDER
    for key, value in expect.items():
        assert getattr(msg, key) == value, key


@pytest.mark.parametrize(("name", "status", "code"), [
    ("status_sent", "sent", None), ("status_delivered", "delivered", None), ("status_read", "read", None),
    ("status_failed", "failed", 130472),
])
def test_status_shapes(name, status, code):
    messages, [st] = parse_delivery(fixture(name))
    assert messages == [] and st.status == status and st.error_code == code and st.provider_id == "wamid.xyzxyz"
    if code:
        assert st.error_title == "User's number is part of an experiment"


def test_every_entry_change_message_and_status_is_read():
    batch = fixture("batch")
    messages, statuses = parse_delivery(batch)
    assert len(messages) == 4 and len(statuses) == 3
    assert [m.sent_at for m in messages] == sorted(m.sent_at for m in messages)  # in the order they were sent
    assert {m.sender for m in messages} == {SENDER, "6281398765432"}


def test_odd_items_are_skipped_not_raised():
    payload = {"entry": [None, {"changes": "x"}, {"changes": [{"value": {"messages": [
        {"id": "wamid.a"}, "nope", {"from": "1", "id": "wamid.b", "timestamp": "abc", "type": "text"},
        {"from": SENDER, "id": "wamid.c", "timestamp": "1700000000", "type": "interactive", "interactive": {}},
    ], "statuses": [{"id": "x"}, 5]}}]}]}
    messages, statuses = parse_delivery(payload)
    assert [m.kind for m in messages] == ["unsupported"] and statuses == []
    assert parse_delivery("x") == ([], []) and parse_delivery({"entry": {}}) == ([], [])


def test_inbound_rows_hold_no_number(client, whatsapp):
    post(client, fixture_bytes("text"))
    run_jobs()
    row = WhatsAppInbound.objects.get()
    assert SENDER not in row.message_key and "wamid" not in row.message_key and PHONE not in str(row.__dict__)
