"""Configuration from the environment: bad values stop start-up with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from salingsapa.config import ConfigError, decode_key, env_bool, env_int, new_key_text


def _run(env_extra: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    env.update({"SALINGSAPA_DATA_DIR": str(tmp_path)})
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "salingsapa", "check"], capture_output=True, text=True, env=env, timeout=120
    )


def _production(**overrides: str) -> dict[str, str]:
    env = {
        "SALINGSAPA_ENV": "production",
        "SALINGSAPA_SECRET_KEY": "s" * 50,
        "SALINGSAPA_ENCRYPTION_KEYS": new_key_text(),
        "SALINGSAPA_INDEX_KEY": new_key_text(),
        "SALINGSAPA_ALLOWED_HOSTS": "salingsapa.serangkota.go.id",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


@pytest.mark.parametrize(
    "overrides,variable",
    [
        ({"SALINGSAPA_SECRET_KEY": ""}, "SALINGSAPA_SECRET_KEY"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": ""}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": "c2hvcnQ"}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_INDEX_KEY": ""}, "SALINGSAPA_INDEX_KEY"),
        ({"SALINGSAPA_ALLOWED_HOSTS": "*"}, "SALINGSAPA_ALLOWED_HOSTS"),
        ({"SALINGSAPA_DEBUG": "true"}, "SALINGSAPA_DEBUG"),
        ({"SALINGSAPA_DEBUG": "maybe"}, "SALINGSAPA_DEBUG"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"SALINGSAPA_SECURE_COOKIES": "false"}, "SALINGSAPA_SECURE_COOKIES"),
        ({"SALINGSAPA_ENV": "staging"}, "SALINGSAPA_ENV"),
    ],
)
def test_bad_production_config_is_one_line_naming_the_variable(tmp_path, overrides, variable):
    result = _run(_production(**overrides), tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0] and "Traceback" not in result.stderr


def test_good_production_config_passes_the_check(tmp_path):
    result = _run(_production(), tmp_path)
    assert result.returncode == 0, result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("f" * 60)
    result = _run(_production(SALINGSAPA_SECRET_KEY="", SALINGSAPA_SECRET_KEY_FILE=str(secret_file)), tmp_path)
    assert result.returncode == 0, result.stderr


def test_development_generates_demo_keys_once(tmp_path):
    assert _run({}, tmp_path).returncode == 0
    keys = (tmp_path / "demo-keys.json").read_text()
    assert oct((tmp_path / "demo-keys.json").stat().st_mode)[-3:] == "600"
    assert _run({}, tmp_path).returncode == 0
    assert (tmp_path / "demo-keys.json").read_text() == keys


def test_helpers_validate(monkeypatch):
    monkeypatch.setenv("X_BOOL", "ya")
    with pytest.raises(ConfigError, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ConfigError, match="X_INT"):
        env_int("X_INT", 1)
    with pytest.raises(ConfigError, match="K"):
        decode_key("K", "AAAA")
