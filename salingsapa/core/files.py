"""Encrypted file storage for evidence and case documents.

Files are sealed whole with ``core.crypto`` and written under ``<DATA_DIR>/files/sealed/`` with
a random name; the database keeps only that name. Nothing here is ever served directly by the
web server: views hand the bytes out after an access check.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from salingsapa.core import crypto

SEALED_DIR = "sealed"


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / SEALED_DIR


def store_sealed_file(data: bytes, *, purpose: str) -> str:
    """Seal ``data`` and write it durably; returns the storage name to keep in the database."""
    name = secrets.token_hex(16)
    root = _root() / name[:2]
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / name
    tmp = path.with_suffix(".tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:  # owner only
        fh.write(crypto.seal_bytes(data, purpose=f"file:{purpose}"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return f"{name[:2]}/{name}"


def read_sealed_file(storage_name: str, *, purpose: str) -> bytes:
    path = _root() / storage_name
    if ".." in storage_name or not path.is_file():
        raise FileNotFoundError(storage_name)
    return crypto.unseal_bytes(path.read_bytes(), purpose=f"file:{purpose}")


def delete_sealed_file(storage_name: str) -> None:
    path = _root() / storage_name
    if ".." not in storage_name and path.is_file():
        path.unlink()
