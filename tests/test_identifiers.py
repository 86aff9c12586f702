"""Identifier normalisation: spellings of one phone, NIK or account give one blind index."""

from __future__ import annotations

import pytest

from salingsapa.core.identifiers import InvalidIdentifier, identifier_index, normalise_identifier


@pytest.mark.parametrize(
    "kind,value",
    [
        ("phone", "0812-3456-7890"),
        ("phone", "+62 812 3456 7890"),
        ("phone", "6281234567890"),
        ("whatsapp", "https://wa.me/6281234567890"),
        ("other", "https://api.whatsapp.com/send?phone=6281234567890"),
    ],
)
def test_phone_spellings_normalise_to_e164(kind, value):
    assert normalise_identifier(kind, value) == ("phone", "+6281234567890")


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("instagram", "@Some.User", ("instagram", "some.user")),
        ("other", "https://www.instagram.com/Some.User/", ("instagram", "some.user")),
        ("other", "instagram.com/some.user?igsh=abc", ("instagram", "some.user")),
        ("tiktok", "https://www.tiktok.com/@groomer_99", ("tiktok", "groomer_99")),
        ("x", "https://twitter.com/Akun_X", ("x", "akun_x")),
        ("other", "https://x.com/akun_x", ("x", "akun_x")),
        ("facebook", "https://web.facebook.com/profile.php?id=10001234", ("facebook", "10001234")),
        ("telegram", "https://t.me/kenalan", ("telegram", "kenalan")),
    ],
)
def test_social_media_profiles_normalise_per_platform(kind, value, expected):
    assert normalise_identifier(kind, value) == expected


def test_nik_keeps_digits_and_requires_sixteen():
    assert normalise_identifier("nik", "3673 0115 0895 0001") == ("nik", "3673011508950001")
    with pytest.raises(InvalidIdentifier, match="16 angka"):
        normalise_identifier("nik", "12345")


@pytest.mark.parametrize("kind,value", [("phone", "abc"), ("instagram", "bad handle!"), ("nope", "x"), ("phone", "")])
def test_invalid_identifiers_are_refused_with_indonesian_message(kind, value):
    with pytest.raises(InvalidIdentifier) as exc:
        normalise_identifier(kind, value)
    assert str(exc.value)


def test_index_equal_for_equal_normalised_values():
    assert identifier_index(*normalise_identifier("phone", "0812-3456-7890")) == identifier_index(
        *normalise_identifier("whatsapp", "https://wa.me/6281234567890")
    )
