"""The partner directory: search by service, area and name."""

from __future__ import annotations

import pytest

from salingsapa.accounts.models import Organisation
from salingsapa.core.models import Region
from salingsapa.network.directory import kelurahan_choices, partners_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    city = Organisation.objects.create(name="HIMPSI Banten", kind="psychology", services=["psikologis"])
    kasemen = Organisation.objects.create(name="PATBM Kasemen", kind="community", services=["pengaduan", "psikologis"])
    kasemen.service_area.add(Region.objects.get(code="36.73.02"))
    lbh = Organisation.objects.create(name="LBH Serang", kind="legal_aid", services=["bantuan-hukum"], is_public=False)
    media = Organisation.objects.create(name="Media Serang", kind="media", services=["psikologis"])
    return city, kasemen, lbh, media


def test_search_by_service_excludes_media(orgs):
    city, kasemen, lbh, media = orgs
    assert set(partners_search(service="psikologis")) == {city, kasemen}


def test_search_by_kelurahan_uses_the_service_area_chain(orgs):
    city, kasemen, lbh, _ = orgs
    in_kasemen = Region.objects.filter(parent_id="36.73.02").first()
    in_serang = Region.objects.filter(parent_id="36.73.01").first()
    assert set(partners_search(service="psikologis", kelurahan_code=in_kasemen.code)) == {city, kasemen}
    assert set(partners_search(service="psikologis", kelurahan_code=in_serang.code)) == {city}


def test_public_directory_hides_non_public_orgs_and_text_search(orgs):
    city, kasemen, lbh, _ = orgs
    assert lbh not in partners_search(public_only=True)
    assert partners_search(text="lbh") == [lbh]


def test_kelurahan_choices_grouped_by_kecamatan(db):
    groups = kelurahan_choices()
    assert [name for name, _ in groups] == ["Serang", "Kasemen", "Walantaka", "Curug", "Cipocok Jaya", "Taktakan"]
    assert sum(len(items) for _, items in groups) == 67


def test_public_services_page_lists_public_partners_only(client, orgs):
    city, kasemen, lbh, media = orgs
    body = client.get("/layanan/").content.decode()
    assert city.name in body and kasemen.name in body
    assert lbh.name not in body and media.name not in body
    body = client.get("/layanan/?layanan=psikologis&kelurahan=36.73.01.1001").content.decode()
    assert city.name in body and kasemen.name not in body


def test_public_services_page_ignores_bad_filters(client, orgs):
    response = client.get("/layanan/?layanan=<script>&kelurahan=99.99")
    assert response.status_code == 200 and "<script>" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
