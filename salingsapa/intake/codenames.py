"""Codenames (kode rahasia) and report references.

A codename is seven words from an Indonesian word list shipped with the package
(``codename_words.txt``: 3860 words, so 7 words carry 7 * log2(3860) = 83.4 bits). It is shown
once to the person who reported and stored only as an Argon2id hash (``core.crypto``).

When a submission carries an idempotency key, the codename is derived from that key with a
server-side keyed hash, so a retry of the same submission answers with the same codename
without the codename ever being stored. The raw key is never stored either (only its keyed hash).
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from salingsapa.core import crypto

CODENAME_WORDS = 7
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read aloud
REFERENCE_PREFIX = "LP"


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    path = Path(__file__).with_name("codename_words.txt")
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    if len(set(words)) != len(words) or len(words) < 2048:
        raise RuntimeError("codename word list is damaged")
    return tuple(words)


def _words_from_int(number: int, count: int) -> str:
    words = wordlist()
    chosen = []
    for _ in range(count):
        number, index = divmod(number, len(words))
        chosen.append(words[index])
    return " ".join(chosen)


def codename_new() -> str:
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(CODENAME_WORDS))


def codename_for_key(idempotency_key: str) -> str:
    """The codename of a submission with this idempotency key (128 keyed bits → 7 words)."""
    digest = crypto.keyed_hash(idempotency_key, purpose="codename-from-idempotency-key")
    return _words_from_int(int(digest, 16), CODENAME_WORDS)


def normalise_codename(text: str) -> str:
    """What a person types back: any case, extra spaces, dashes or dots between words."""
    cleaned = "".join(ch if ch.isalpha() else " " for ch in (text or "").lower())
    return " ".join(cleaned.split())


def codename_entropy_bits() -> float:
    import math

    return CODENAME_WORDS * math.log2(len(wordlist()))


def reference_new() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def normalise_reference(text: str) -> str:
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX):]
    if len(cleaned) != 8:
        return ""
    return f"{REFERENCE_PREFIX}-{cleaned[:4]}-{cleaned[4:]}"
