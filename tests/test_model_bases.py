"""Shared model parts (abstract bases, one choices list) keep what each model stored before them (issue 11)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone, translation

from salingsapa.cases.models import Person, PersonIdentifier, ServicePlan
from salingsapa.core import crypto
from salingsapa.core.fields import EncryptedMixin
from salingsapa.intake.models import Channel, Evidence

# Sealed under the abstract base's name since the first release; pinned so stored decision notes still open.
PINNED = {("cases.serviceplan", "decision_note"), ("cases.closurerequest", "decision_note")}


def test_every_sealed_field_is_bound_to_its_own_model_even_when_declared_on_a_base():
    sealed = [(m, f) for m in apps.get_models() for f in m._meta.get_fields() if isinstance(f, EncryptedMixin)]
    assert any(f.name == "value" and m is PersonIdentifier for m, f in sealed)  # declared on core.SealedIdentifier
    for model, field in sealed:
        if (model._meta.label_lower, field.name) in PINNED:
            assert field.purpose == f"cases.approvalrequest.{field.name}"
        else:
            assert field.purpose == f"{model._meta.label_lower}.{field.name}", (model, field.name)


@pytest.mark.django_db
def test_an_identifier_is_stored_sealed_under_its_models_own_name():
    person = Person.objects.create(created_at=timezone.now())
    ident = PersonIdentifier.objects.create(person=person, kind="instagram", value="pelaku_9f3a", value_index="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM cases_personidentifier WHERE id = %s", [ident.pk])
        stored = cursor.fetchone()[0]
    assert "pelaku_9f3a" not in stored
    assert crypto.unseal(stored, purpose="cases.personidentifier.value") == "pelaku_9f3a"  # as before the base
    reread = PersonIdentifier.objects.get(pk=ident.pk)
    assert (reread.value, reread.kind_label) == ("pelaku_9f3a", "Instagram")


def test_plan_decision_notes_keep_the_purpose_they_were_sealed_with():
    raw = crypto.seal("ditolak: belum ada asesmen", purpose="cases.approvalrequest.decision_note")
    field = ServicePlan._meta.get_field("decision_note")
    assert crypto.unseal(raw, purpose=field.purpose) == "ditolak: belum ada asesmen"


def test_evidence_sources_are_the_report_channels_and_a_follow_up():
    values = [value for value, _label in Evidence.SOURCES]
    assert values == [*Channel.values, Evidence.FOLLOWUP]
    with translation.override("en"):
        labels = {value: str(label) for value, label in Evidence.SOURCES}
    assert labels["web"] == "Web form"  # the web channel's way in for a file is its form
    assert labels["whatsapp"] == "WhatsApp" and labels["walk_in"] == "Walk-in"  # the channel's own label
    assert labels["followup"] == "Sent later with the codename"
