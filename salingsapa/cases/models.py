"""Cases (kasus), the people in them and the incidents they record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedTextField
from salingsapa.intake.models import RiskLevel


class CaseStatus(models.TextChoices):
    NEW = "new", _("Baru")
    ASSESSMENT = "assessment", _("Asesmen")
    PLANNING = "planning", _("Rencana intervensi")
    IN_SERVICE = "in_service", _("Layanan")
    MONITORING = "monitoring", _("Pemantauan")
    CLOSED = "closed", _("Terminasi")


class Case(models.Model):
    number = models.CharField(_("nomor kasus"), max_length=24, unique=True)  # e.g. SRG-2025-0064
    year = models.PositiveSmallIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("urutan"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit penanggung jawab")
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_cases",
        verbose_name=_("manajer kasus"),
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True)
    risk_level = models.CharField(_("tingkat risiko"), max_length=10, choices=RiskLevel.choices, blank=True, db_index=True)
    is_emergency = models.BooleanField(_("darurat"), default=False)
    # The date a case is counted by in statistics: when it was first reported (see docs/statistics.md).
    reported_at = models.DateTimeField(_("tanggal dilaporkan"), db_index=True)
    opened_at = models.DateTimeField(_("tanggal dibuka"))
    closed_at = models.DateTimeField(_("tanggal terminasi"), null=True, blank=True)
    closure_reason = EncryptedTextField(_("alasan terminasi"), blank=True, default="")
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    channel = models.CharField(_("saluran pertama"), max_length=20, blank=True)
    summary = EncryptedTextField(_("ringkasan"), blank=True, default="")
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="case_unique_sequence_per_year")]
        indexes = [models.Index(fields=["status", "risk_level"], name="case_status_risk_idx")]
        verbose_name = _("kasus")
        verbose_name_plural = _("kasus")

    def __str__(self) -> str:
        return self.number


class CaseCounter(models.Model):
    """Last case sequence used per year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Person(models.Model):
    """A person who can appear in several cases (as victim, perpetrator or reporter)."""

    full_name = EncryptedTextField(_("nama lengkap"), blank=True, default="")
    alias = EncryptedTextField(_("nama panggilan"), blank=True, default="")
    nik = EncryptedTextField(_("NIK"), blank=True, default="")
    nik_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("telepon"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    address = EncryptedTextField(_("alamat"), blank=True, default="")
    birth_date = EncryptedTextField(_("tanggal lahir"), blank=True, default="")
    sex = models.CharField(_("jenis kelamin"), max_length=10, default="unknown")
    education = models.CharField(_("pendidikan"), max_length=30, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=30, blank=True)
    marital_status = models.CharField(_("status perkawinan"), max_length=20, blank=True)
    disability = models.CharField(_("disabilitas"), max_length=20, blank=True)
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("orang")
        verbose_name_plural = _("orang")

    def __str__(self) -> str:
        return f"Person #{self.pk}"


class PersonIdentifier(models.Model):
    """Further identifiers of a person (social-media accounts, extra phones), for repeat-perpetrator links."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("jenis"), max_length=20)
    value = EncryptedTextField(_("nilai"))
    value_index = models.CharField(max_length=64, db_index=True)


class CasePerson(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim", _("Korban")
        PERPETRATOR = "perpetrator", _("Pelaku")
        REPORTER = "reporter", _("Pelapor")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_links")
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, db_index=True)
    age_group = models.CharField(_("kelompok umur saat kejadian"), max_length=10, blank=True)
    is_child = models.BooleanField(_("anak"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_person_role_unique")]


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    place = models.CharField(_("tempat kejadian"), max_length=40, blank=True)
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    violence_forms = models.ManyToManyField(
        "core.Code", related_name="+", limit_choices_to={"list": "violence_form"}, verbose_name=_("bentuk kekerasan")
    )
    tpks_forms = models.ManyToManyField(
        "core.Code", related_name="+", blank=True, limit_choices_to={"list": "tpks_form"}, verbose_name=_("bentuk TPKS")
    )
    factors = models.ManyToManyField(
        "core.Code", related_name="+", blank=True, limit_choices_to={"list": "factor"}, verbose_name=_("faktor pendorong")
    )
    relationship = models.CharField(_("hubungan pelaku dengan korban"), max_length=40, blank=True)
    met_via = models.CharField(_("cara korban dan pelaku kenal"), max_length=40, blank=True)
    met_via_platform = models.CharField(_("platform media sosial"), max_length=40, blank=True)
    description = EncryptedTextField(_("uraian kejadian"), blank=True, default="")

    class Meta:
        verbose_name = _("kejadian")
        verbose_name_plural = _("kejadian")
