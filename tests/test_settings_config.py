"""Configuration from the environment: bad values stop start-up with one line naming the variable."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys

import pytest

from salingsapa.config import ConfigError, decode_key, env_bool, env_int, new_key_text

SECRET = secrets.token_urlsafe(50)
INDEX = new_key_text()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _env(env_extra: dict[str, str], tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    env.update({"SALINGSAPA_DATA_DIR": str(tmp_path)})
    env.update(env_extra)
    return env


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
        "SALINGSAPA_SECRET_KEY": SECRET,
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
        # weak keys (issue 9 item 6)
        ({"SALINGSAPA_ENCRYPTION_KEYS": _b64(bytes(32))}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": _b64(b"\xff" * 32)}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": _b64(b"0123456789abcdef" * 2)}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": new_key_text() + "," + _b64(bytes(32))}, "SALINGSAPA_ENCRYPTION_KEYS"),
        ({"SALINGSAPA_INDEX_KEY": _b64(b"a" * 32)}, "SALINGSAPA_INDEX_KEY"),
        ({"SALINGSAPA_INDEX_KEY": _b64(b"passwordpassword" * 2)}, "SALINGSAPA_INDEX_KEY"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": INDEX, "SALINGSAPA_INDEX_KEY": INDEX}, "SALINGSAPA_INDEX_KEY"),
        ({"SALINGSAPA_ENCRYPTION_KEYS": new_key_text() + "," + INDEX, "SALINGSAPA_INDEX_KEY": INDEX},
         "SALINGSAPA_INDEX_KEY"),
        ({"SALINGSAPA_SECRET_KEY": "a" * 44}, "SALINGSAPA_SECRET_KEY"),
        ({"SALINGSAPA_SECRET_KEY": "abc" * 20}, "SALINGSAPA_SECRET_KEY"),
        ({"SALINGSAPA_SECRET_KEY": secrets.token_urlsafe(20)}, "SALINGSAPA_SECRET_KEY"),
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
    secret_file.write_text(secrets.token_urlsafe(45))
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


def test_random_keys_are_never_refused_as_weak():
    from salingsapa.config import check_key_strength, check_secret_key

    for _ in range(2000):
        check_key_strength("K", secrets.token_bytes(32))
    for _ in range(500):
        check_secret_key("S", secrets.token_urlsafe(50))


def test_importing_wsgi_with_bad_configuration_prints_one_line(tmp_path):
    env = _env(_production(SALINGSAPA_ENCRYPTION_KEYS=_b64(bytes(32))), tmp_path)
    result = subprocess.run([sys.executable, "-c", "import salingsapa.wsgi"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SALINGSAPA_ENCRYPTION_KEYS" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_data_folder_0700_and_database_wal_keys_and_sealed_files_0600(tmp_path):
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "salingsapa", "migrate", "--noinput", "-v", "0"],
                            capture_output=True, text=True, env=_env({"SALINGSAPA_DATA_DIR": str(data)}, tmp_path),
                            timeout=300)
    assert result.returncode == 0, result.stderr
    # While the server holds the database open, its WAL and SHM files exist: their modes are read then.
    script = "\n".join([
        "import os, stat, salingsapa.wsgi",
        "from django.db import connection",
        "from salingsapa.core.files import store_sealed_file",
        "from salingsapa.core.models import AuditHead",
        "AuditHead.objects.count()",
        "db = connection.settings_dict['NAME']",
        "print(oct(stat.S_IMODE(os.stat(db + '-wal').st_mode)), oct(stat.S_IMODE(os.stat(db + '-shm').st_mode)))",
        "print(store_sealed_file(b'bukti', purpose='evidence'))",
    ])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, env=_env({"SALINGSAPA_DATA_DIR": str(data)}, tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    wal_modes, sealed_name = result.stdout.strip().splitlines()
    assert wal_modes == "0o600 0o600"
    sealed = data / "files" / "sealed" / sealed_name

    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in (data / "salingsapa.sqlite3", data / "salingsapa.sqlite3-wal", data / "salingsapa.sqlite3-shm",
                 data / "demo-keys.json", sealed):
        if path.name.endswith(("-wal", "-shm")) and not path.exists():
            continue  # checkpointed and removed on close
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(sealed.parent.stat().st_mode) == 0o700
