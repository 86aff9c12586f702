"""Sealed file storage for evidence, case documents and exports waiting for their download.

Files are sealed whole with ``core.crypto`` (AES-256-GCM, the purpose bound into the seal) and only
then handed to a Django storage backend (``settings.STORAGES``) under a random name; the database
keeps only that name. The backend is the disk under the data folder by default
(``DurableFileSystemStorage``: 0600 files, written to a temporary name, fsync'd and renamed) or
S3-compatible object storage through django-storages (``SALINGSAPA_FILE_STORAGE=s3``): either way the
store only ever holds ciphertext. Nothing here is served by the web server: views hand the bytes out
after an access check.

Storage aliases: ``sealed`` (evidence and case documents; in backups) and ``exports`` (statistics
exports until their one download, at most a day; not in backups).

Key rotation (``salingsapa keys rotate``): a file carries the id of the key that sealed it in its first
bytes, like every sealed value. ``reseal_file`` opens a file sealed with an older key (trying the
purposes of ``FILE_PURPOSES`` its store can hold: the purpose is not written in the file) and replaces
it in place, atomically, sealed with the newest key; a file already under the newest key is only
looked at (its first 6 bytes), so an interrupted rotation simply runs again.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils._os import safe_makedirs
from django.utils.functional import cached_property

from salingsapa.core import crypto

SEALED = "sealed"
EXPORTS = "exports"

# Every purpose a file is sealed for, per store: ``keys rotate`` must be able to open every stored file,
# so ``store_sealed_file`` refuses a purpose not listed here.
FILE_PURPOSES: dict[str, tuple[str, ...]] = {
    SEALED: ("evidence", "case-document", "awareness-image", "awareness-material"),
    EXPORTS: ("export",),
}


class DurableFileSystemStorage(FileSystemStorage):
    """Django's file storage, but every file is written to a temporary name, fsync'd and renamed into
    place (a crash never leaves half a sealed file under its real name), owner-only by default.

    ``subdir`` without ``location``: a folder under ``MEDIA_ROOT`` that follows the setting when it
    changes (the test suite gives every test its own ``MEDIA_ROOT``).
    """

    def __init__(self, *args: Any, subdir: str = "", **kwargs: Any) -> None:
        self._subdir = subdir
        super().__init__(*args, **kwargs)

    @cached_property
    def base_location(self) -> str:
        default = os.path.join(settings.MEDIA_ROOT, self._subdir) if self._subdir else settings.MEDIA_ROOT
        return str(self._value_or_setting(getattr(self, "_location", None), default))

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        safe_makedirs(os.path.dirname(full_path), self.directory_permissions_mode or 0o700, exist_ok=True)
        tmp = f"{full_path}.{secrets.token_hex(4)}.tmp"
        mode = self.file_permissions_mode or 0o600
        try:
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as fh:
                for chunk in content.chunks():
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)  # os.open's mode is filtered by the umask
            os.replace(tmp, full_path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return name.replace("\\", "/")


SEALED_DIR = "sealed"  # the default disk storage's folder under MEDIA_ROOT


def _root() -> Path:
    """Where the default disk storage keeps sealed files (tests look there; object storage has no folder)."""
    return Path(settings.MEDIA_ROOT) / SEALED_DIR


def file_storage(alias: str = SEALED) -> Storage:
    return storages[alias]


def _check_name(storage_name: str) -> None:
    if not storage_name or ".." in storage_name or storage_name.startswith(("/", "\\")) or "\\" in storage_name:
        raise FileNotFoundError(storage_name)


def store_sealed_file(data: bytes, *, purpose: str, alias: str = SEALED, name: str | None = None) -> str:
    """Seal ``data`` and store it; returns the storage name to keep in the database."""
    if name is None:
        token = secrets.token_hex(16)
        name = f"{token[:2]}/{token}"
    _check_name(name)
    if purpose not in FILE_PURPOSES.get(alias, ()):
        raise ValueError(f"file purpose {purpose!r} is not listed in FILE_PURPOSES[{alias!r}]")
    sealed = crypto.seal_bytes(data, purpose=f"file:{purpose}")
    return file_storage(alias).save(name, ContentFile(sealed))


def read_sealed_file(storage_name: str, *, purpose: str, alias: str = SEALED) -> bytes:
    """The file's plain bytes; ``FileNotFoundError`` when it is not there."""
    _check_name(storage_name)
    try:
        with file_storage(alias).open(storage_name, "rb") as fh:
            raw = fh.read()
    except (FileNotFoundError, IsADirectoryError):
        raise FileNotFoundError(storage_name) from None
    return crypto.unseal_bytes(raw, purpose=f"file:{purpose}")


def delete_sealed_file(storage_name: str, *, alias: str = SEALED) -> None:
    try:
        _check_name(storage_name)
    except FileNotFoundError:
        return
    file_storage(alias).delete(storage_name)  # a missing file is not an error


def walk(alias: str = SEALED, prefix: str = "") -> Iterator[str]:
    """Every stored name (no temporary files), depth first, sorted."""
    storage = file_storage(alias)
    try:
        dirs, names = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(names):
        if not name.endswith(".tmp"):
            yield f"{prefix}{name}"
    for sub in sorted(dirs):
        yield from walk(alias, f"{prefix}{sub}/")


def raw_read(storage_name: str, *, alias: str = SEALED) -> bytes:
    """The stored (still sealed) bytes, for backups."""
    _check_name(storage_name)
    with file_storage(alias).open(storage_name, "rb") as fh:
        data: bytes = fh.read()
    return data


def raw_write(storage_name: str, data: bytes, *, alias: str = SEALED) -> str:
    """Store already-sealed bytes under their own name, for restores."""
    _check_name(storage_name)
    return file_storage(alias).save(storage_name, ContentFile(data))


# --- key rotation --------------------------------------------------------------------------------

RESEALED, CURRENT, GONE, UNREADABLE = "resealed", "current", "gone", "unreadable"


@dataclass
class ResealTally:
    """What one pass over a store did: files re-sealed, already current, gone meanwhile, not openable."""

    resealed: int = 0
    current: int = 0
    gone: int = 0
    unreadable: list[str] = field(default_factory=list)

    def add(self, outcome: str, name: str) -> None:
        if outcome == UNREADABLE:
            self.unreadable.append(name)
        else:
            setattr(self, outcome, getattr(self, outcome) + 1)


def _replace(storage: Storage, name: str, data: bytes) -> None:
    """Store ``data`` under the existing ``name`` in one step: never a moment without the file."""
    if isinstance(storage, DurableFileSystemStorage):
        storage._save(name, ContentFile(data))  # a temporary file, fsync'd and renamed over the old one
        return
    if getattr(storage, "file_overwrite", False):  # django-storages' S3: one PUT replaces the object
        saved = storage.save(name, ContentFile(data))
        if saved == name:
            return
        storage.delete(saved)
    raise OSError(f"this storage backend cannot replace {name!r} in place; re-sealing needs that")


def _header_current(storage: Storage, name: str) -> bool:
    with storage.open(name, "rb") as fh:
        head = fh.read(6)
    return crypto.sealed_with_newest_key(head)


def reseal_file(name: str, *, alias: str = SEALED) -> str:
    """Re-seal one stored file with the newest key; returns RESEALED, CURRENT, GONE or UNREADABLE.

    Memory: the one file (evidence and documents are at most ``EVIDENCE_MAX_BYTES`` /
    ``CASE_DOCUMENT_MAX_BYTES``). A file deleted while it is re-sealed (an export downloaded) is not
    brought back.
    """
    _check_name(name)
    storage = file_storage(alias)
    try:
        if _header_current(storage, name):
            return CURRENT
        raw = raw_read(name, alias=alias)
    except (FileNotFoundError, IsADirectoryError):
        return GONE
    for purpose in FILE_PURPOSES.get(alias, ()):
        try:
            plain = crypto.unseal_bytes(raw, purpose=f"file:{purpose}")
        except crypto.DecryptionError:
            continue
        sealed = crypto.seal_bytes(plain, purpose=f"file:{purpose}")
        del plain
        if not storage.exists(name):
            return GONE
        _replace(storage, name, sealed)
        return RESEALED
    return UNREADABLE
