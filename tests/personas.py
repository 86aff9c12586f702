"""Personas: the organisations and people the tests act as."""

from __future__ import annotations

import pytest

from salingsapa.accounts.models import Organisation, Role, User

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
    from salingsapa.core.models import Region

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


@pytest.fixture
def intake_officer(uptd) -> User:
    return make_user("petugas", Role.INTAKE_OFFICER, uptd, on_duty=True)


@pytest.fixture
def case_manager(uptd) -> User:
    return make_user("manajer", Role.CASE_MANAGER, uptd)


@pytest.fixture
def supervisor(uptd) -> User:
    return make_user("supervisor", Role.SUPERVISOR, uptd)


@pytest.fixture
def partner_psychologist(psychology_org) -> User:
    return make_user("psikolog", Role.PARTNER, psychology_org)


@pytest.fixture
def media_partner(media_org) -> User:
    return make_user("media", Role.MEDIA, media_org)


@pytest.fixture
def outsider(other_uptd) -> User:
    """Staff of another office: a real account with no business in our cases."""
    return make_user("orang-luar", Role.CASE_MANAGER, other_uptd)


@pytest.fixture
def administrator(uptd) -> User:
    return make_user("admin", Role.ADMIN, uptd, is_staff=True, is_superuser=True)


@pytest.fixture
def counsellor(uptd) -> User:
    return make_user("konselor", Role.COUNSELLOR, uptd)


@pytest.fixture
def partner_lawyer(db) -> User:
    return make_user("pengacara", Role.PARTNER, Organisation.objects.create(name="LBH Serang", kind=Organisation.Kind.LEGAL_AID))


@pytest.fixture
def partner_health(db) -> User:
    return make_user("nakes", Role.PARTNER, Organisation.objects.create(name="RSUD Kota Serang", kind=Organisation.Kind.HEALTH))


@pytest.fixture
def police_officer(db) -> User:
    return make_user("polisi-ppa", Role.PARTNER, Organisation.objects.create(name="Unit PPA Polresta Serang Kota", kind=Organisation.Kind.POLICE))
