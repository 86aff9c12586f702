"""Outbound-message settings: a bad value stops start-up with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    env.update({"SALINGSAPA_DATA_DIR": str(tmp_path), **extra})
    return subprocess.run([sys.executable, "-m", "salingsapa", "check"], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize(("extra", "named"), [
    ({"SALINGSAPA_NOTIFY_TRANSPORT": "cloud"}, "SALINGSAPA_NOTIFY_TRANSPORT=cloud needs SALINGSAPA_WHATSAPP_TOKEN"),
    ({"SALINGSAPA_NOTIFY_TRANSPORT": "pigeon"}, "SALINGSAPA_NOTIFY_TRANSPORT"),
    ({"SALINGSAPA_WHATSAPP_API_BASE": "http://graph.example/v23.0"}, "SALINGSAPA_WHATSAPP_API_BASE"),
    ({"SALINGSAPA_SMS_GATEWAY": "http", "SALINGSAPA_SMS_GATEWAY_URL": "http://sms.example/send"}, "SALINGSAPA_SMS_GATEWAY"),
])
def test_bad_outbound_settings_stop_start_up(tmp_path, extra, named):
    result = _check(tmp_path, **extra)
    assert result.returncode != 0 and named in result.stderr


def test_cloud_with_token_file_starts(tmp_path):
    token = tmp_path / "token"
    token.write_text("EAAG-secret-token\n", encoding="utf-8")
    result = _check(tmp_path, SALINGSAPA_NOTIFY_TRANSPORT="cloud", SALINGSAPA_WHATSAPP_TOKEN_FILE=str(token),
                    SALINGSAPA_WHATSAPP_PHONE_NUMBER_ID="1098765432")
    assert result.returncode == 0, result.stderr
