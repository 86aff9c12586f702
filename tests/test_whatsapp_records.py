"""WhatsApp channel records (issue 12 items 1 and 4): statuses handed to the outbound side, every
inbound message seen, nothing personal in the logs, retention of raw deliveries and conversations,
and the production refusal to start the channel without its secrets."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from salingsapa.channels.models import Conversation, WhatsAppDelivery, WhatsAppInbound
from salingsapa.channels.tasks import whatsapp_cleanup_job
from salingsapa.channels.whatsapp import handle
from tests.test_settings_config import _production, _run
from tests.whatsapp_helpers import (
    PHONE,
    SENDER,
    envelope,
    fixture,
    post,
    run_jobs,
    text,
    whatsapp_on,
    with_new_ids,
)


@pytest.fixture
def whatsapp(settings, tmp_path):
    return whatsapp_on(settings, tmp_path)


@pytest.fixture
def recorded(monkeypatch):
    calls: dict[str, list] = {"status": [], "seen": []}
    monkeypatch.setattr(handle, "status_record", lambda **kw: calls["status"].append(kw) or True)
    monkeypatch.setattr(handle, "inbound_seen", lambda **kw: calls["seen"].append(kw))
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["status_sent", "status_delivered", "status_read", "status_failed"])
def test_every_status_goes_to_status_record(client, whatsapp, recorded, name):
    post(client, fixture(name))
    run_jobs()
    [call] = recorded["status"]
    assert call["provider_id"] == "wamid.xyzxyz" and call["status"] == name.removeprefix("status_")
    assert call["at"] == dt.datetime.fromtimestamp(int(fixture(name)["entry"][0]["changes"][0]["value"]["statuses"][0]
                                                       ["timestamp"]), tz=dt.UTC)
    assert call["error_code"] == (130472 if name == "status_failed" else None)
    assert whatsapp.new() == []  # a status is never answered


@pytest.mark.django_db
def test_a_batched_delivery_is_read_entirely(client, whatsapp, recorded):
    post(client, fixture("batch"))
    run_jobs()
    assert len(recorded["status"]) == 3
    assert sorted(c["address"] for c in recorded["seen"]) == sorted([PHONE] * 3 + ["+6281398765432"])
    assert WhatsAppInbound.objects.count() == 4 and Conversation.objects.count() == 2
    assert WhatsAppDelivery.objects.get().messages == 4
    # the same delivery again (Meta retries): statuses passed on again (idempotent there), messages not
    post(client, fixture("batch"))
    run_jobs()
    assert WhatsAppInbound.objects.count() == 4 and len(recorded["seen"]) == 4


@pytest.mark.django_db
def test_every_inbound_message_is_seen_with_its_own_time(client, whatsapp, recorded):
    payload = with_new_ids(fixture("text"))
    post(client, payload)
    run_jobs()
    [seen] = recorded["seen"]
    assert seen == {"channel": "whatsapp", "address": PHONE,
                    "at": dt.datetime.fromtimestamp(1697043223, tz=dt.UTC)}


@pytest.mark.django_db
def test_logs_hold_no_number_and_no_text(client, whatsapp, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, envelope([text("Suami saya memukul saya")]))
    post(client, envelope([text("CEK")]), secret="salah")  # a refused one is logged too
    run_jobs()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "whatsapp delivery" in logged and "signature" in logged
    for secret in (SENDER, PHONE, "Suami saya", "wamid"):
        assert secret not in logged


@pytest.mark.django_db
def test_cleanup_forgets_old_conversations_and_deliveries(client, whatsapp, settings):
    post(client, envelope([text("halo")]))
    post(client, envelope([text("halo", sender="6281398765432")], sender="6281398765432"))
    run_jobs()
    assert WhatsAppDelivery.objects.filter(processed_at__isnull=False).count() == 2
    old = timezone.now() - dt.timedelta(days=settings.WHATSAPP_DELIVERY_KEEP_DAYS + 1)
    first = WhatsAppDelivery.objects.order_by("pk").first()
    WhatsAppDelivery.objects.filter(pk=first.pk).update(processed_at=old)
    Conversation.objects.filter(pk=Conversation.objects.order_by("pk").first().pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=settings.WHATSAPP_CONVERSATION_HOURS + 1))
    result = whatsapp_cleanup_job.call()
    assert result == {"conversations": 1, "deliveries": 1}
    assert WhatsAppDelivery.objects.count() == 1 and Conversation.objects.count() == 1
    assert WhatsAppInbound.objects.count() == 2  # the message ids stay: a late duplicate is still refused
    assert "whatsapp-cleanup" in settings.PERIODIC_JOBS


@pytest.mark.parametrize(("overrides", "variable"), [
    ({"SALINGSAPA_WHATSAPP_ENABLED": "true", "SALINGSAPA_WHATSAPP_VERIFY_TOKEN": "v" * 8 + "x" * 12},
     "SALINGSAPA_WHATSAPP_APP_SECRET"),
    ({"SALINGSAPA_WHATSAPP_ENABLED": "true", "SALINGSAPA_WHATSAPP_APP_SECRET": "0123456789abcdef0123"},
     "SALINGSAPA_WHATSAPP_VERIFY_TOKEN"),
    ({"SALINGSAPA_WHATSAPP_WEBHOOK_MAX_BYTES": "10"}, "SALINGSAPA_WHATSAPP_WEBHOOK_MAX_BYTES"),
])
def test_production_refuses_the_channel_without_its_secrets(tmp_path, overrides, variable):
    result = _run(_production(**overrides), tmp_path)
    assert result.returncode == 2 and variable in result.stderr and "Traceback" not in result.stderr


def test_production_with_the_secrets_starts(tmp_path):
    result = _run(_production(SALINGSAPA_WHATSAPP_ENABLED="true", SALINGSAPA_WHATSAPP_APP_SECRET="a1b2c3d4" * 4,
                              SALINGSAPA_WHATSAPP_VERIFY_TOKEN="v9w8x7y6" * 3), tmp_path)
    assert result.returncode == 0, result.stderr
