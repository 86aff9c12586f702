"""Backups and restores: one encrypted file holding a consistent database snapshot and the sealed files.

* **Database**: SQLite through its online backup API (a consistent copy while the service runs);
  PostgreSQL through ``pg_dump --format=custom`` (one snapshot transaction).
* **Files**: the sealed files of the ``sealed`` file storage (``core.files``: the disk or object
  storage; already encrypted one by one) are copied after the database snapshot, so every file the
  snapshot names is there; and the audit anchor file.
* **Manifest**: row counts per table, the audit head, and a SHA-256 of every member.
* Everything goes into a gzip'd tar, sealed as a whole with ``SALINGSAPA_BACKUP_KEY`` through the
  crypto facade (``crypto.seal_backup_stream``). The data keys are never in a backup: restoring
  needs the same ``SALINGSAPA_ENCRYPTION_KEYS`` and ``SALINGSAPA_INDEX_KEY``.

``backup_restore`` brings a backup into an *empty* installation only (no rows outside the
reference data, no sealed files, no audit anchors), then runs ANALYZE and checks the counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump / pg_restore, arguments never from user input)
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.utils import timezone

from salingsapa.core import crypto
from salingsapa.core import files as sealed_files
from salingsapa.core.audit import anchor_latest, anchor_path
from salingsapa.core.models import AuditHead

FORMAT = 1
FILES_PREFIX = "files/sealed/"  # members of the sealed file storage (the same names as before object storage)
# Tables that an empty installation already holds (migrations load them) or that carry no records.
REFERENCE_MODELS = {
    "core.region", "core.code", "contenttypes.contenttype", "auth.permission", "sessions.session",
    "core.jobschedule", "core.workerbeat", "django_tasks_db.dbtaskresult", "admin.logentry",
}


class BackupError(Exception):
    """A backup could not be written or restored; the message is one line for the operator."""


@dataclass
class BackupInfo:
    path: Path
    vendor: str
    created_at: str
    counts: dict[str, int]
    files: int
    size: int = 0
    warnings: list[str] = field(default_factory=list)


def _record_models() -> list[Any]:
    return [m for m in apps.get_models() if m._meta.label_lower not in REFERENCE_MODELS and m._meta.managed]


def table_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _record_models()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres"), "--no-password"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools of the server's major version")
    return found


def _snapshot_database(target_dir: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        out = target_dir / "database.sqlite3"
        source = sqlite3.connect(str(db["NAME"]), timeout=30)
        dest = sqlite3.connect(str(out))
        try:
            source.backup(dest)  # the online backup API: a consistent copy while others write
        finally:
            dest.close()
            source.close()
        return out.name
    if connection.vendor == "postgresql":
        out = target_dir / "database.dump"
        args, env = _pg_env(db)
        run = subprocess.run(  # noqa: S603
            [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), str(db["NAME"])],
            env=env, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise BackupError(f"pg_dump failed: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
        return out.name
    raise BackupError(f"database {connection.vendor!r} is not supported by backup")


def backup_create(*, path: Path, progress: Callable[[str], None] | None = None) -> BackupInfo:
    """Write an encrypted backup to ``path`` (mode 0600; written beside it, then renamed)."""
    say = progress or (lambda _msg: None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = AuditHead.objects.filter(pk=1).values("count", "last_hash").first() or {"count": 0, "last_hash": ""}
    with tempfile.TemporaryDirectory(prefix="salingsapa-backup-") as tmp:
        work = Path(tmp)
        say("database snapshot")
        counts = table_counts()  # read before the snapshot: the snapshot holds at least these rows
        db_member = _snapshot_database(work)
        created_at = timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
        files = list(sealed_files.walk(sealed_files.SEALED))
        manifest: dict[str, Any] = {
            "format": FORMAT, "created_at": created_at, "vendor": connection.vendor, "database": db_member,
            "counts": counts, "audit_head": head, "members": {db_member: _sha256(work / db_member)},
        }
        raw = work / "backup.tar.gz"
        say(f"{len(files)} sealed file(s)")
        with tarfile.open(raw, "w:gz", compresslevel=6) as tar:
            tar.add(work / db_member, arcname=db_member)
            for file in files:
                name = FILES_PREFIX + file
                data = sealed_files.raw_read(file)
                manifest["members"][name] = hashlib.sha256(data).hexdigest()
                member = tarfile.TarInfo(name)
                member.size, member.mtime, member.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(member, io.BytesIO(data))
            anchors = anchor_path()
            if anchors.exists():
                manifest["members"]["audit-anchor.jsonl"] = _sha256(anchors)
                tar.add(anchors, arcname="audit-anchor.jsonl")
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
        say("encrypting")
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, raw.open("rb") as src:
                size = crypto.seal_backup_stream(src, out)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)
    return BackupInfo(path, connection.vendor, created_at, counts, len(files), size)


def installation_is_empty() -> list[str]:
    """What makes this installation non-empty (an empty list when a restore may go ahead)."""
    found = [f"{label}: {n} row(s)" for label, n in table_counts().items() if n]
    if next(sealed_files.walk(sealed_files.SEALED), None) is not None:
        found.append("sealed files in the file storage")
    latest = anchor_latest()
    if latest is not None and latest.count > 0:
        found.append(f"audit anchors in {anchor_path()}")
    return found


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in Path(name).parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"backup holds an unsafe member {name!r}")
        members.append(member)
    return members


def _restore_database(source: Path, vendor: str) -> None:
    db = connection.settings_dict
    for conn in connections.all():
        conn.close()
    if vendor == "sqlite":
        src = sqlite3.connect(str(source))
        dest = sqlite3.connect(str(db["NAME"]), timeout=30)
        try:
            src.backup(dest)  # replaces every page of the target database
            dest.execute("ANALYZE")
            dest.commit()
        finally:
            dest.close()
            src.close()
        return
    args, env = _pg_env(db)
    run = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", "--dbname", str(db["NAME"]), str(source)],
        env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def backup_restore(*, path: Path, progress: Callable[[str], None] | None = None) -> BackupInfo:
    """Restore ``path`` into this (empty) installation. Raises ``BackupError`` with one line."""
    say = progress or (lambda _msg: None)
    blockers = installation_is_empty()
    if blockers:
        raise BackupError("this installation is not empty (" + "; ".join(blockers[:3]) + "): restore only into a new one")
    with tempfile.TemporaryDirectory(prefix="salingsapa-restore-") as tmp:
        work = Path(tmp)
        raw = work / "backup.tar.gz"
        say("decrypting")
        try:
            with Path(path).open("rb") as src, raw.open("wb") as out:
                crypto.unseal_backup_stream(src, out)
        except FileNotFoundError:
            raise BackupError(f"no backup at {path}") from None
        except crypto.CryptoError as exc:
            raise BackupError(f"cannot open the backup: {exc}") from None
        with tarfile.open(raw, "r:gz") as tar:
            members = _safe_members(tar)
            manifest_file = tar.extractfile("manifest.json")
            if manifest_file is None:
                raise BackupError("backup has no manifest")
            manifest = json.loads(manifest_file.read())
            if manifest.get("format") != FORMAT:
                raise BackupError(f"backup format {manifest.get('format')!r} is not supported")
            if manifest["vendor"] != connection.vendor:
                raise BackupError(f"backup is of a {manifest['vendor']} database; this installation uses {connection.vendor}")
            extracted = work / "x"
            safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # members checked above too
            tar.extractall(extracted, members=members, **safe)  # noqa: S202
        for name, digest in manifest["members"].items():
            if _sha256(extracted / name) != digest:
                raise BackupError(f"backup member {name} does not match its checksum")
        say("database")
        _restore_database(extracted / manifest["database"], manifest["vendor"])
        say("files")
        source_files = extracted / FILES_PREFIX
        if source_files.exists():
            for file in sorted(source_files.rglob("*")):
                if file.is_file():
                    sealed_files.raw_write(file.relative_to(source_files).as_posix(), file.read_bytes())
        anchors = extracted / "audit-anchor.jsonl"
        if anchors.exists():
            target = anchor_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(anchors.read_bytes())
    counts = table_counts()
    short = [f"{label} ({counts.get(label, 0)} < {n})" for label, n in manifest["counts"].items() if counts.get(label, 0) < n]
    if short:
        raise BackupError("restored database has fewer rows than the backup recorded: " + ", ".join(short[:3]))
    files = sum(1 for name in manifest["members"] if name.startswith("files/"))
    return BackupInfo(Path(path), manifest["vendor"], manifest["created_at"], counts, files)
