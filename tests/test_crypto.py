"""The crypto facade: authenticated encryption, key rotation, purpose binding, blind index, codenames."""

from __future__ import annotations

import base64

import pytest

from salingsapa.config import new_key_text
from salingsapa.core import crypto


def _key() -> bytes:
    return base64.urlsafe_b64decode(new_key_text() + "=")


def test_seal_round_trips_and_hides_plaintext():
    token = crypto.seal("Siti Aminah", purpose="cases.person.full_name")
    assert "Siti" not in token
    assert crypto.unseal(token, purpose="cases.person.full_name") == "Siti Aminah"


def test_same_plaintext_gives_different_tokens():
    assert crypto.seal("x", purpose="p") != crypto.seal("x", purpose="p")


def test_token_sealed_for_one_purpose_does_not_open_for_another():
    token = crypto.seal("rahasia", purpose="intake.report.narrative")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(token, purpose="cases.person.full_name")


def test_tampered_token_is_refused():
    raw = bytearray(crypto.seal_bytes(b"kronologi", purpose="p"))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal_bytes(bytes(raw), purpose="p")


def test_rotation_new_key_seals_old_key_still_opens(settings):
    old, new = _key(), _key()
    settings.ENCRYPTION_KEYS = [old]
    token_old = crypto.seal("lama", purpose="p")
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.unseal(token_old, purpose="p") == "lama"
    assert crypto.needs_reseal(token_old)
    token_new = crypto.seal("baru", purpose="p")
    assert not crypto.needs_reseal(token_new)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.unseal(token_new, purpose="p") == "baru"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(token_old, purpose="p")


def test_blind_index_is_deterministic_keyed_and_separated_by_kind(settings):
    a = crypto.blind_index("+6281234567890", kind="phone")
    assert a == crypto.blind_index("+6281234567890", kind="phone")
    assert a != crypto.blind_index("+6281234567890", kind="nik")
    assert "6281234567890" not in a
    settings.INDEX_KEY = _key()
    assert crypto.blind_index("+6281234567890", kind="phone") != a


def test_codename_hash_verifies_only_the_right_codename():
    stored = crypto.hash_codename("mawar biru sungai pagi kopi hangat bintang")
    assert stored.startswith("$argon2id$")
    assert crypto.verify_codename(stored, "mawar biru sungai pagi kopi hangat bintang")
    assert not crypto.verify_codename(stored, "mawar biru sungai pagi kopi hangat bulan")
    assert not crypto.verify_codename("not-a-hash", "x")


def test_sealer_seals_as_seal_does_for_its_purpose_only():
    seal = crypto.sealer("cases.person.full_name")
    a, b = seal("Siti Aminah"), seal("Siti Aminah")
    assert a != b and a.startswith(crypto.PREFIX) and len(a) == len(crypto.seal("Siti Aminah", purpose="x"))
    assert crypto.unseal(a, purpose="cases.person.full_name") == "Siti Aminah"
    assert crypto.unseal(b, purpose="cases.person.full_name") == "Siti Aminah"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(a, purpose="cases.person.address")
