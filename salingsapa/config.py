"""Reading configuration from the environment.

Every setting comes from an environment variable; a secret may instead be given as a file
path in ``<NAME>_FILE``. A bad or missing value raises :class:`ConfigError`, whose message
names the variable; the ``salingsapa`` command turns it into a one-line error.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import math
import os
import secrets
from collections import Counter
from pathlib import Path


class ConfigError(Exception):
    """A configuration variable is missing or invalid. The message names the variable."""


def env_str(name: str, default: str | None = None) -> str | None:
    file_var = os.environ.get(f"{name}_FILE")
    if file_var:
        try:
            return Path(file_var).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_var!r} ({exc.strerror})") from None
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected true/false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str, default: list[str] | None = None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or CIDR networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {item!r} is not an IP address or network") from None
    return networks


def decode_key(name: str, text: str) -> bytes:
    """A 32-byte key given as URL-safe base64 (``salingsapa keys generate`` prints one)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ConfigError(f"{name}: not valid base64") from None
    if len(raw) != 32:
        raise ConfigError(f"{name}: each key must be 32 bytes of URL-safe base64 (got {len(raw)} bytes)")
    return raw


def _entropy_bits_per_symbol(data: bytes | str) -> float:
    """Shannon entropy of the symbol frequencies (an upper bound on what the value can hold)."""
    counts = Counter(data)
    total = len(data)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


# A random 32-byte key has about 30 distinct bytes and ~4.8 bits/byte of observed entropy (the
# sample is small); a typed or patterned key has far fewer. The thresholds leave random keys a
# margin of many standard deviations (a random key fails with probability < 1e-12).
MIN_KEY_DISTINCT_BYTES = 20
MIN_KEY_ENTROPY_BITS = 4.0
MIN_SECRET_KEY_LENGTH = 40
MIN_SECRET_KEY_DISTINCT = 16
MIN_SECRET_KEY_ENTROPY_BITS = 3.5


def check_key_strength(name: str, key: bytes) -> None:
    """Refuse a key that was not drawn at random (all-equal bytes, a pattern, typed text)."""
    if len(set(key)) == 1:
        raise ConfigError(f"{name}: key is one byte repeated; generate one with 'salingsapa keys generate'")
    if len(set(key)) < MIN_KEY_DISTINCT_BYTES or _entropy_bits_per_symbol(key) < MIN_KEY_ENTROPY_BITS:
        raise ConfigError(f"{name}: key has too little entropy to be random; generate one with 'salingsapa keys generate'")


def check_secret_key(name: str, value: str) -> None:
    """Django's SECRET_KEY: long and not a pattern (signs sessions, CSRF and password-reset tokens)."""
    if len(value) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"{name}: too short for production (use at least {MIN_SECRET_KEY_LENGTH} random characters)")
    if len(set(value)) < MIN_SECRET_KEY_DISTINCT or _entropy_bits_per_symbol(value) < MIN_SECRET_KEY_ENTROPY_BITS:
        raise ConfigError(f"{name}: too little entropy for production (use {MIN_SECRET_KEY_LENGTH}+ random characters)")


def check_distinct_keys(encryption_keys: list[bytes], index_key: bytes) -> None:
    if index_key in encryption_keys:
        raise ConfigError("SALINGSAPA_INDEX_KEY: must differ from every SALINGSAPA_ENCRYPTION_KEYS key")
    if len(set(encryption_keys)) != len(encryption_keys):
        raise ConfigError("SALINGSAPA_ENCRYPTION_KEYS: the same key is listed twice")


def private_dir(path: Path) -> Path:
    """Create (or tighten) a folder only the service's user may enter (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise ConfigError(f"SALINGSAPA_DATA_DIR: cannot make {str(path)!r} private ({exc.strerror})") from None
    return path


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def demo_keys(data_dir: Path) -> dict[str, str]:
    """Keys for development and the demo, generated once into the data folder (mode 0600)."""
    path = data_dir / "demo-keys.json"
    keys: dict[str, str] = {}
    if path.exists():
        keys = json.loads(path.read_text(encoding="utf-8"))
        if "SALINGSAPA_BACKUP_KEY" in keys:
            return keys
    private_dir(data_dir)
    keys = {
        "SALINGSAPA_SECRET_KEY": secrets.token_urlsafe(50),
        "SALINGSAPA_ENCRYPTION_KEYS": new_key_text(),
        "SALINGSAPA_INDEX_KEY": new_key_text(),
        **keys,  # an older demo-keys file keeps its keys and only gains the ones it lacks
    }
    keys.setdefault("SALINGSAPA_BACKUP_KEY", new_key_text())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(keys, fh, indent=2)
    os.replace(tmp, path)
    return keys
