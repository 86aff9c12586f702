"""The one crypto facade. Nothing outside ``core`` touches keys or ciphertext.

* ``seal`` / ``unseal``: AES-256-GCM authenticated encryption. The token carries the id of the
  key that sealed it, so older keys keep decrypting after rotation (keys are listed newest first
  in ``SALINGSAPA_ENCRYPTION_KEYS``). A token is bound to its purpose (the model field) through
  the associated data, so a ciphertext copied into another column does not decrypt.
  ``sealer(purpose)`` gives ``seal`` for many values of one purpose (bulk loads: the key is looked up once).
* ``blind_index``: keyed HMAC-SHA256 of a normalised value for exact-match lookups on encrypted
  identifiers (phone, NIK, social-media handle), under a key derived per kind.
* ``chain_hmac``: the keyed hash that links audit-log entries; ``head_mac`` seals the chain's head
  (count and newest hash) so the head cannot be rewritten without the key.
* ``seal_backup_stream`` / ``unseal_backup_stream``: chunked AES-256-GCM for backups, under
  ``SALINGSAPA_BACKUP_KEY`` (a key of its own, so a backup can be opened without the data keys'
  holder handing those out, and the data keys are never inside a backup).
* ``hash_codename`` / ``verify_codename``: Argon2id for the follow-up codenames.
* ``export_pseudonymiser``, ``one_time_password``, ``encrypt_zip``: per-export keyed pseudonyms,
  the one-time password and the AES-256 ZIP of statistics exports.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from nacl.pwhash import argon2id as nacl_argon2id

VERSION = b"s1"
PREFIX = "s1:"


class CryptoError(Exception):
    """Base class of the facade's errors."""


class DecryptionError(CryptoError):
    """A token could not be opened: unknown key, tampered data, or the wrong purpose."""


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"salingsapa-key-id" + key).digest()[:4]


@lru_cache(maxsize=8)
def _keyring(keys: tuple[bytes, ...]) -> tuple[tuple[bytes, AESGCM], dict[bytes, AESGCM]]:
    if not keys:
        raise CryptoError("no encryption keys configured")
    ring = {_key_id(k): AESGCM(k) for k in keys}
    return (_key_id(keys[0]), ring[_key_id(keys[0])]), ring


def _ring() -> tuple[tuple[bytes, AESGCM], dict[bytes, AESGCM]]:
    return _keyring(tuple(settings.ENCRYPTION_KEYS))


def _sealed(kid: bytes, aead: AESGCM, data: bytes, aad: bytes) -> bytes:
    """The token layout, in one place: version, key id, a fresh nonce, ciphertext with its tag."""
    nonce = os.urandom(12)
    return VERSION + kid + nonce + aead.encrypt(nonce, data, aad)


def _text_token(sealed: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(sealed).decode()


def seal_bytes(data: bytes, *, purpose: str) -> bytes:
    (kid, aead), _ = _ring()
    return _sealed(kid, aead, data, purpose.encode())


def unseal_bytes(token: bytes, *, purpose: str) -> bytes:
    if len(token) < 2 + 4 + 12 + 16 or token[:2] != VERSION:
        raise DecryptionError("not a sealed token")
    _, ring = _ring()
    aead = ring.get(token[2:6])
    if aead is None:
        raise DecryptionError("sealed with a key that is not configured")
    try:
        return aead.decrypt(token[6:18], token[18:], purpose.encode())
    except InvalidTag:
        raise DecryptionError("token was altered or sealed for another purpose") from None


def seal(text: str, *, purpose: str) -> str:
    return _text_token(seal_bytes(text.encode("utf-8"), purpose=purpose))


def sealer(purpose: str) -> Callable[[str], str]:
    """``seal`` for many values of one purpose: the same tokens (newest key, fresh nonce per value) without
    looking the key up per value. For bulk loads; take a new sealer per batch (keys may rotate)."""
    (kid, aead), _ = _ring()
    aad = purpose.encode()

    def seal_one(text: str) -> str:
        return _text_token(_sealed(kid, aead, text.encode("utf-8"), aad))

    return seal_one


def unseal(token: str, *, purpose: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("not a sealed token")
    raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode())
    return unseal_bytes(raw, purpose=purpose).decode("utf-8")


def needs_reseal(token: str | bytes) -> bool:
    """True when a token was sealed with a key other than the newest one."""
    (kid, _), _ = _ring()
    raw = token if isinstance(token, bytes) else base64.urlsafe_b64decode(token[len(PREFIX):].encode())
    return raw[2:6] != kid


def sealed_with_newest_key(head: bytes) -> bool:
    """True when the first bytes of a sealed token (at least 6) name the newest key."""
    (kid, _), _ = _ring()
    return len(head) >= 6 and head[:2] == VERSION and head[2:6] == kid


@lru_cache(maxsize=32)
def _subkey(master: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"salingsapa", info=info.encode()).derive(master)


def blind_index(value: str, *, kind: str) -> str:
    """Keyed HMAC of an already normalised value; equal inputs give equal indexes per kind."""
    key = _subkey(settings.INDEX_KEY, f"blind-index:{kind}")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def chain_hmac(previous: str, payload: bytes) -> str:
    key = _subkey(settings.INDEX_KEY, "audit-chain")
    return hmac.new(key, previous.encode() + b"\n" + payload, hashlib.sha256).hexdigest()


def head_mac(count: int, last_hash: str) -> str:
    """The keyed MAC of the audit chain's head: binds the number of entries to the newest hash."""
    key = _subkey(settings.INDEX_KEY, "audit-head")
    return hmac.new(key, f"{int(count)}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def head_mac_ok(count: int, last_hash: str, mac: str) -> bool:
    return hmac.compare_digest(head_mac(count, last_hash), mac or "")


BACKUP_MAGIC = b"SSBK1\n"
BACKUP_CHUNK = 1024 * 1024


def _backup_aead() -> AESGCM:
    key = getattr(settings, "BACKUP_KEY", None)
    if not key:
        raise CryptoError("SALINGSAPA_BACKUP_KEY: not set (generate one with 'salingsapa keys generate')")
    return AESGCM(_subkey(key, "backup-stream"))


def seal_backup_stream(src: Any, dst: Any) -> int:
    """Encrypt a file-like ``src`` into ``dst`` in 1 MiB chunks; returns the bytes written.

    Each chunk is sealed with AES-256-GCM under a per-backup random prefix and a counter, and its
    associated data says whether it is the last one, so a backup cut short or with chunks
    reordered, dropped or swapped between backups does not open.
    """
    aead = _backup_aead()
    prefix = os.urandom(7)
    dst.write(BACKUP_MAGIC + prefix)
    written = len(BACKUP_MAGIC) + len(prefix)
    index = 0
    chunk = src.read(BACKUP_CHUNK)
    while True:
        following = src.read(BACKUP_CHUNK)
        last = not following
        nonce = prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        sealed = aead.encrypt(nonce, chunk, BACKUP_MAGIC + (b"last" if last else b"more"))
        dst.write(len(sealed).to_bytes(4, "big") + sealed)
        written += 4 + len(sealed)
        if last:
            return written
        chunk, index = following, index + 1


def unseal_backup_stream(src: Any, dst: Any) -> int:
    """Decrypt what ``seal_backup_stream`` wrote; raises ``DecryptionError`` on any tampering."""
    aead = _backup_aead()
    if src.read(len(BACKUP_MAGIC)) != BACKUP_MAGIC:
        raise DecryptionError("not a Saling Sapa backup")
    prefix = src.read(7)
    index, total = 0, 0
    while True:
        size_bytes = src.read(4)
        if len(size_bytes) != 4:
            raise DecryptionError("backup is cut short")
        sealed = src.read(int.from_bytes(size_bytes, "big"))
        for last in (False, True):
            nonce = prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
            try:
                chunk = aead.decrypt(nonce, sealed, BACKUP_MAGIC + (b"last" if last else b"more"))
            except InvalidTag:
                continue
            break
        else:
            raise DecryptionError("backup was altered or sealed with another backup key")
        dst.write(chunk)
        total += len(chunk)
        if last:
            if src.read(1):
                raise DecryptionError("backup has data after its end")
            return total
        index += 1


def keyed_hash(value: str, *, purpose: str) -> str:
    """A keyed hash for pseudonymous counters (e.g. rate limits by IP): not reversible, not linkable across purposes."""
    key = _subkey(settings.INDEX_KEY, f"keyed:{purpose}")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _codename_hasher() -> PasswordHasher:
    params = settings.CODENAME_ARGON2
    return PasswordHasher(
        time_cost=params["time_cost"], memory_cost=params["memory_cost"], parallelism=params["parallelism"]
    )


def hash_codename(codename: str) -> str:
    """Argon2id with ``settings.CODENAME_ARGON2``, as a standard PHC string (``$argon2id$v=19$m=…``).

    With one lane (the production setting) the hash is computed by libsodium (PyNaCl), whose Argon2
    uses AVX2/AVX-512 where the CPU has them: the same algorithm, parameters and output format as
    argon2-cffi's, at about 25 % less CPU on the 2-vCPU machine (docs/performance.md). The salt is 16
    random bytes, the tag 32 bytes, as with argon2-cffi; both libraries verify either's hashes.
    """
    params = settings.CODENAME_ARGON2
    if params["parallelism"] == 1:
        return nacl_argon2id.str(codename.encode("utf-8"), opslimit=params["time_cost"],
                                 memlimit=params["memory_cost"] * 1024).decode("ascii")
    return _codename_hasher().hash(codename)


def verify_codename(stored_hash: str, codename: str) -> bool:
    try:
        return _codename_hasher().verify(stored_hash, codename)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- exports (statistics) -------------------------------------------------------------------------


def export_pseudonymiser(*, digest_size: int = 6) -> Callable[[str], str]:
    """A keyed pseudonym function for one export: a fresh random key each call, never stored.

    keyed BLAKE2b of the value under that key: the same case gets the same pseudonym within one
    export, and two exports cannot be linked (their keys differ).
    """
    key = secrets.token_bytes(16)

    def pseudonym(value: str) -> str:
        return hashlib.blake2b(value.encode("utf-8"), key=key, digest_size=digest_size).hexdigest()

    return pseudonym


def one_time_password() -> str:
    """Five groups of four characters from an unambiguous alphabet (31^20 ≈ 2^99)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(5))


def encrypt_zip(name: str, payload: bytes, password: str) -> bytes:
    """``payload`` as the one file ``name`` of a WinZip-AES-256 ZIP (pyzipper) under ``password``."""
    import pyzipper

    out = io.BytesIO()
    with pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode())
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        zf.writestr(name, payload)
    return out.getvalue()
