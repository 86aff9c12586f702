"""Personas: the organisations and people the tests act as."""

from __future__ import annotations

from typing import Any

import pytest

from salingsapa.accounts.models import Organisation, Role, User
from salingsapa.core.models import Region

PASSWORD = "kata-sandi-uji-yang-panjang"  # noqa: S105


def make_user(username: str, role: str, organisation: Organisation | None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, organisation=organisation, **extra)
    return user


@pytest.fixture
def uptd(db) -> Organisation:
    return Organisation.objects.create(name="UPTD PPA Kota Serang", short_name="UPTD PPA", kind=Organisation.Kind.UPTD_PPA)


@pytest.fixture
def other_uptd(db) -> Organisation:
    """The UPTD PPA of a neighbouring kabupaten (Kabupaten Serang, 36.04) on the same installation."""
    region, _ = Region.objects.get_or_create(code="36.04", defaults={"name": "Kabupaten Serang", "level": 2, "kind": "kabupaten"})
    return Organisation.objects.create(
        name="UPTD PPA Kabupaten Lain", short_name="UPTD Lain", kind=Organisation.Kind.UPTD_PPA, region=region
    )


@pytest.fixture
def psychology_org(db) -> Organisation:
    return Organisation.objects.create(name="Asosiasi Psikologi Banten", kind=Organisation.Kind.PSYCHOLOGY)


@pytest.fixture
def media_org(db) -> Organisation:
    return Organisation.objects.create(name="Media Serang", kind=Organisation.Kind.MEDIA)


def _persona(username: str, role: str, office: str, **extra: object) -> Any:
    """A fixture: the person ``username`` with ``role``, on the staff of the fixture named ``office``."""

    @pytest.fixture
    def persona(db: None, request: pytest.FixtureRequest) -> User:
        return make_user(username, role, request.getfixturevalue(office), **extra)

    return persona


# The people the tests act as; ``outsider`` is staff of another office, with no business in our cases.
intake_officer = _persona("petugas", Role.INTAKE_OFFICER, "uptd", on_duty=True)
case_manager = _persona("manajer", Role.CASE_MANAGER, "uptd")
supervisor = _persona("supervisor", Role.SUPERVISOR, "uptd")
counsellor = _persona("konselor", Role.COUNSELLOR, "uptd")
administrator = _persona("admin", Role.ADMIN, "uptd", is_staff=True, is_superuser=True)
outsider = _persona("orang-luar", Role.CASE_MANAGER, "other_uptd")
partner_psychologist = _persona("psikolog", Role.PARTNER, "psychology_org")
media_partner = _persona("media", Role.MEDIA, "media_org")


@pytest.fixture
def partner_lawyer(db) -> User:
    return make_user("pengacara", Role.PARTNER, Organisation.objects.create(name="LBH Serang", kind=Organisation.Kind.LEGAL_AID))


@pytest.fixture
def partner_health(db) -> User:
    return make_user("nakes", Role.PARTNER, Organisation.objects.create(name="RSUD Kota Serang", kind=Organisation.Kind.HEALTH))


@pytest.fixture
def police_officer(db) -> User:
    return make_user("polisi-ppa", Role.PARTNER, Organisation.objects.create(name="Unit PPA Polresta Serang Kota", kind=Organisation.Kind.POLICE))
