"""Normalising identifiers before they are blind-indexed.

Two spellings of one phone number, NIK or social-media account must give the same value, so
that a repeat perpetrator is found across reports: ``0812-3456-7890``, ``+62 812 3456 7890`` and
``https://wa.me/6281234567890`` are one phone; ``https://www.instagram.com/Some.User/`` and
``@some.user`` on Instagram are one handle.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import phonenumbers
from django.utils.translation import gettext_lazy as _

from salingsapa.core import crypto

KINDS = ("phone", "nik", "instagram", "facebook", "tiktok", "x", "whatsapp", "telegram", "email", "other")

# What pages show for a kind (the slug is for storage and the API, never for people).
KIND_LABELS = {
    "phone": _("Nomor telepon"), "nik": "NIK", "instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok",
    "x": "X (Twitter)", "whatsapp": "WhatsApp", "telegram": "Telegram", "email": _("Email"), "other": _("Akun lain"),
}


def kind_label(kind: str) -> str:
    """The label of an identifier kind in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))

_HOSTS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "m.facebook.com": "facebook",
    "web.facebook.com": "facebook",
    "tiktok.com": "tiktok",
    "vm.tiktok.com": "tiktok",
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "wa.me": "whatsapp",
    "api.whatsapp.com": "whatsapp",
}


class InvalidIdentifier(ValueError):
    """The value cannot be an identifier of that kind. ``str(exc)`` is a Bahasa Indonesia msgid;
    ``code`` says what was wrong: ``"phone"`` for a phone number, ``"identifier"`` otherwise."""

    def __init__(self, message: str, *, code: str = "identifier") -> None:
        super().__init__(message)
        self.code = code


# What a person may type in a phone number besides digits: no letters (phonenumbers would turn
# "0812-ABC-DEF" into keypad digits), no other symbols.
_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-./\u00a0]+")


def normalise_phone(value: str) -> str:
    """E.164 with Indonesia as the default region; only real (valid) Indonesian or international numbers."""
    text = (value or "").strip()
    if not _PHONE_CHARS.fullmatch(text):
        raise InvalidIdentifier("Nomor telepon tidak dapat dibaca.", code="phone")
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier("Nomor telepon tidak dapat dibaca.", code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("Nomor telepon tidak valid.", code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_nik(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 16:
        raise InvalidIdentifier("NIK harus 16 angka.")
    return digits


def _handle_from_url(value: str) -> tuple[str, str] | None:
    text = value.strip()
    if "://" not in text and "/" in text and "." in text.split("/")[0]:
        text = "https://" + text
    if "://" not in text:
        return None
    parsed = urlparse(text)
    host = (parsed.hostname or "").lower().removeprefix("www.")
    platform = _HOSTS.get(host)
    if platform is None:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    if platform == "whatsapp":
        if host == "api.whatsapp.com":
            from urllib.parse import parse_qs

            phone = parse_qs(parsed.query).get("phone", [""])[0]
        else:
            phone = parts[0] if parts else ""
        return "phone", normalise_phone("+" + phone.lstrip("+"))
    if platform == "facebook" and parts and parts[0] == "profile.php":
        from urllib.parse import parse_qs

        fb_id = parse_qs(parsed.query).get("id", [""])[0]
        return "facebook", fb_id
    if not parts:
        raise InvalidIdentifier("Tautan profil tidak berisi nama akun.")
    return platform, parts[0]


def normalise_identifier(kind: str, value: str) -> tuple[str, str]:
    """Return ``(kind, normalised value)``; a URL may reveal a more specific kind."""
    if kind not in KINDS:
        raise InvalidIdentifier("Jenis identitas tidak dikenal.")
    value = (value or "").strip()
    if not value:
        raise InvalidIdentifier("Isian kosong.")
    if len(value) > 300:
        raise InvalidIdentifier("Isian terlalu panjang.")
    if kind in {"phone", "whatsapp"} and "://" not in value:
        return "phone", normalise_phone(value)
    if kind == "nik":
        return "nik", normalise_nik(value)
    if kind == "email":
        if "@" not in value:
            raise InvalidIdentifier("Alamat email tidak valid.")
        return "email", value.lower()
    from_url = _handle_from_url(value)
    if from_url is not None:
        kind, value = from_url
        if kind == "phone":
            return kind, value
    handle = value.strip().lstrip("@").lower()
    if not handle or not re.fullmatch(r"[\w.\-]{1,100}", handle):
        raise InvalidIdentifier("Nama akun tidak valid.")
    return kind, handle


def identifier_index(kind: str, normalised: str) -> str:
    """Blind index of a normalised identifier. Phone numbers share one index space across kinds."""
    return crypto.blind_index(normalised, kind=kind)


def identifier_lookup_index(kind: str, value: str) -> str:
    """Blind index of a phone number or NIK typed into a search box (raises InvalidIdentifier)."""
    kind, normalised = normalise_identifier(kind, value)
    return identifier_index(kind, normalised)
