"""The seeder's bulk path (issue 14 item 4): COPY on PostgreSQL, multi-row INSERT on SQLite, parallel
writers on PostgreSQL. Every sealed value must decrypt, every blind index must match, the counts must be
right, and the data must not depend on the number of workers."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from salingsapa.cases.models import Case, CasePerson, Deadline, Incident, Person, PersonIdentifier
from salingsapa.core import crypto
from salingsapa.core.fields import EncryptedTextField
from salingsapa.core.identifiers import identifier_index, normalise_identifier
from salingsapa.demo import seed as demo
from salingsapa.demo.bulk import DanglingReference, check_references, load_session, new
from salingsapa.demo.outreach import PLAN
from salingsapa.intake.models import Report, ReportIdentifier
from salingsapa.network.models import Consent, Referral, ServiceDelivery
from salingsapa.stats import engine, rollup
from salingsapa.stats.engine import StatsFilter

pytestmark = pytest.mark.django_db(transaction=True)  # worker processes see only committed rows


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, verbosity=0)
    return out.getvalue()


def _check_loaded(cases: int) -> None:
    assert Case.objects.count() == cases
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == cases
    for year, count in Counter(Case.objects.values_list("year", flat=True)).items():
        assert sorted(Case.objects.filter(year=year).values_list("sequence", flat=True)) == list(range(1, count + 1))
    assert Incident.objects.count() == cases
    assert Report.objects.filter(case__isnull=False).count() == cases
    field = sum(spec.disclosures for spec in PLAN)  # the demo's past mobile-counselling visits' disclosures
    assert Report.objects.count() == cases + sum(int(n * demo.SCALED_NOT_VIOLENCE_SHARE) for n in _batch_sizes(cases)) + field
    assert Report.objects.filter(field_session__isnull=False).count() == field
    assert len(set(Report.objects.values_list("reference", flat=True))) == Report.objects.count()
    assert CasePerson.objects.filter(role="victim").count() == cases
    # every sealed value decrypts (reading through the model unseals), and the blind indexes match
    checked = 0
    for person in Person.objects.order_by("?")[:200]:
        assert person.full_name and person.address and person.birth_date
        if person.nik:
            assert person.nik_index == identifier_index("nik", person.nik)
        if person.phone:
            kind, e164 = normalise_identifier("phone", person.phone)
            assert person.phone_index == identifier_index(kind, e164)
            checked += 1
    assert checked
    # the bulk loader's reports (the disclosures of the demo's past mobile-counselling visits come from the field)
    for report in Report.objects.filter(field_session__isnull=True).order_by("?")[:200]:
        assert report.narrative.startswith("Saya") and report.contact_name
        if report.contact_phone:
            kind, e164 = normalise_identifier("phone", report.contact_phone)
            assert report.contact_phone_index == identifier_index(kind, e164)
    for case in Case.objects.order_by("?")[:100]:
        assert case.summary.startswith("Korban ")
    for ident in list(PersonIdentifier.objects.all()[:50]) + list(ReportIdentifier.objects.all()[:50]):
        assert ident.value_index == identifier_index(ident.kind, ident.value)
    _check_every_sealed_field()
    # the statistics see them (rollups rebuilt after the load, identical to the live count)
    flt = StatsFilter.for_year(2025)
    with rollup.session():
        assert rollup.ready()
        rolled = engine.summary(flt)
    with rollup.live():
        assert rolled == engine.summary(flt)
    assert rolled.cases > 0


def _check_every_sealed_field() -> None:
    """Every encrypted field of every bulk-loaded model: stored sealed (not as plain text), and a sample of
    its values opens under the field's own purpose (reading through the model unseals, or raises)."""
    for model in (Person, Case, CasePerson, Incident, PersonIdentifier, Report, ReportIdentifier, Deadline, Consent,
                  Referral, ServiceDelivery):
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            filled = model.objects.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {field.column} FROM {model._meta.db_table} "  # noqa: S608 -- model metadata
                               f"WHERE {field.column} IS NOT NULL AND {field.column} <> '' LIMIT 20")
                raw = [row[0] for row in cursor.fetchall()]
            if not raw:
                continue  # this seed left the field empty everywhere
            assert all(value.startswith(crypto.PREFIX) for value in raw), (model, field.name)
            for value in raw:
                assert crypto.unseal(value, purpose=field.purpose) is not None
            for obj in filled.order_by("?")[:20]:
                assert getattr(obj, field.attname) not in (None, "")


def test_new_builds_what_the_model_builds():
    case = Case(pk=7, number="X", year=2024, sequence=1)
    built, reference = new(CasePerson, case=case, role="victim", age_group="13-17"), CasePerson(
        case=case, role="victim", age_group="13-17")
    for field in CasePerson._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(reference, field.attname), field.name
    assert built.case_id == 7 and built.case is case and built._state.adding
    with pytest.raises(TypeError):
        new(CasePerson, cas=case)


def _batch_sizes(cases: int) -> list[int]:
    sizes = []
    for n_year in demo.scale_table(demo.SCALED_YEAR_WEIGHTS, cases).values():
        sizes += [min(BATCH, n_year - off) for off in range(0, n_year, BATCH)]
    return sizes


BATCH = 150


def test_bulk_seed_is_complete_and_decryptable():
    out = _seed("--cases", "600", "--seed", "5", "--batch-size", str(BATCH))
    assert "600 cases" in out and "rollups rebuilt" in out
    _check_loaded(600)


def _fingerprint() -> Counter:
    """Every case without its number (a second seed continues the numbering)."""
    return Counter(
        (c.reported_at.isoformat(), c.kelurahan_id, c.status, c.summary,
         tuple(sorted((p.role, p.person.full_name, p.person.nik) for p in c.participants.all())))
        for c in Case.objects.prefetch_related("participants__person")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers are for PostgreSQL")
def test_parallel_writers_write_the_same_data_as_one():
    _seed("--cases", "450", "--seed", "9", "--batch-size", str(BATCH), "--workers", "3")
    _check_loaded(450)
    parallel = _fingerprint()
    _seed("--cases", "450", "--seed", "9", "--batch-size", str(BATCH))  # the same again, one writer
    both = _fingerprint()
    assert both == parallel + parallel


def test_references_are_checked_after_the_load():
    """The writers may skip PostgreSQL's per-row foreign-key triggers (bulk.load_session); one set-based check
    per foreign key after the load must then catch a row that refers to nothing."""
    _seed("--cases", "150", "--seed", "3", "--batch-size", str(BATCH))
    assert check_references(demo.LOADED_MODELS) >= 20
    link = CasePerson.objects.filter(role="victim").first()
    with pytest.raises(DanglingReference, match="cases.CasePerson.person"), transaction.atomic():
        with connection.cursor() as cursor:  # constraints are deferred: only the commit would refuse this
            cursor.execute("UPDATE cases_caseperson SET person_id = %s WHERE id = %s", [10**9, link.pk])
        check_references(demo.LOADED_MODELS)
    link.refresh_from_db()
    assert link.person_id != 10**9


def test_a_load_switches_nothing_off_beyond_its_own_writes():
    """The load's settings (no per-row triggers, no waiting for the disk) end with the load's block, also
    inside an outer transaction, where a bare SET LOCAL would last until the outermost one ends and leave,
    say, the audit log's append-only trigger off for whatever that transaction does next."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings (SQLite has no session_replication_role)")

    def show(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return str(cursor.fetchone()[0])

    with transaction.atomic():  # the caller's transaction
        with transaction.atomic(), load_session(connection) as deferred:
            assert show("synchronous_commit") == "off"
            assert show("session_replication_role") == ("replica" if deferred else "origin")
        assert show("session_replication_role") == "origin"
        assert show("synchronous_commit") == "on"
        with pytest.raises(RuntimeError), transaction.atomic(), load_session(connection):
            raise RuntimeError("the load fails")
        assert show("session_replication_role") == "origin"  # rolled back with its savepoint
        assert show("synchronous_commit") == "on"
