"""Text that arrives from outside: characters no database or encoder will take, and text that only looks filled.

* NUL (``\\x00``) — PostgreSQL refuses it in text and in query parameters;
* unpaired surrogates (``\\ud800``) — they cannot be encoded as UTF-8, so sealing or storing them fails;
* zero-width and other invisible format characters — a field holding only these (and spaces) is empty.
"""

from __future__ import annotations

import re

# Invisible format characters: soft hyphen, Mongolian vowel separator, zero-width space/joiners,
# direction marks and embeddings, word joiner and invisible operators, byte-order mark.
INVISIBLE_CHARS = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
# JSON Schema ``pattern`` for text that must hold at least one visible character and no NUL.
VISIBLE_TEXT_PATTERN = (
    r"^[^\u0000]*[^\s\u0000\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff][^\u0000]*$"
)
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def has_forbidden_characters(value: str) -> bool:
    """True when ``value`` holds a NUL or a lone surrogate (which no database or UTF-8 encoder accepts)."""
    return _FORBIDDEN.search(value) is not None


def is_blank(value: str) -> bool:
    """True for text of only spaces and invisible format characters."""
    return not INVISIBLE.sub("", value).strip()
