from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """The DP3AKB / UPTD PPA and every partner organisation of the Rumah Kolaborasi."""

    class Kind(models.TextChoices):
        UPTD_PPA = "uptd_ppa", _("DP3AKB / UPTD PPA")
        PSYCHOLOGY = "psychology", _("Psikologi")
        LEGAL_AID = "legal_aid", _("Bantuan hukum")
        HEALTH = "health", _("Kesehatan")
        POLICE = "police", _("Unit PPA Kepolisian")
        SOCIAL = "social", _("Layanan sosial")
        RELIGIOUS = "religious", _("Lembaga keagamaan")
        EDUCATION = "education", _("Pendidikan")
        COMMUNITY = "community", _("Komunitas / PATBM")
        MEDIA = "media", _("Media")

    name = models.CharField(_("nama"), max_length=200, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    services = models.JSONField(_("layanan"), default=list, blank=True)  # slugs of the "service" code list
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah")
    )
    service_area = models.ManyToManyField(
        "core.Region", blank=True, related_name="+", verbose_name=_("wilayah layanan")
    )
    # Organisation contacts are public information, not personal data.
    address = models.CharField(_("alamat kantor"), max_length=300, blank=True)
    phone = models.CharField(_("telepon kantor"), max_length=40, blank=True)
    email = models.EmailField(_("email kantor"), blank=True)
    opening_hours = models.CharField(_("jam layanan"), max_length=200, blank=True)
    capacity_per_month = models.PositiveIntegerField(_("kapasitas per bulan"), null=True, blank=True)
    is_public = models.BooleanField(_("tampil di direktori publik"), default=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisasi")
        verbose_name_plural = _("organisasi")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_lead_agency(self) -> bool:
        return self.kind == self.Kind.UPTD_PPA


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Petugas pengaduan")
    CASE_MANAGER = "case_manager", _("Manajer kasus")
    SUPERVISOR = "supervisor", _("Supervisor / Kepala UPTD")
    COUNSELLOR = "counsellor", _("Konselor keliling")
    PARTNER = "partner", _("Tenaga profesional mitra")
    MEDIA = "media", _("Mitra media")
    ADMIN = "admin", _("Administrator")


# Roles whose work is the case files of the lead agency.
CASEWORK_ROLES = frozenset({Role.INTAKE_OFFICER, Role.CASE_MANAGER, Role.SUPERVISOR, Role.COUNSELLOR})


class User(AbstractUser):
    """A staff or partner account. The public never has an account."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.INTAKE_OFFICER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("organisasi"),
    )
    on_duty = models.BooleanField(_("piket (menerima peringatan darurat)"), default=False)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @property
    def display_name(self) -> str:
        """How pages name a person: the full name, the username only when no name is recorded."""
        return self.get_full_name() or self.get_username()

    @property
    def is_lead_agency_staff(self) -> bool:
        return (
            self.role in CASEWORK_ROLES
            and self.organisation is not None
            and self.organisation.kind == Organisation.Kind.UPTD_PPA
        )

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR and self.is_lead_agency_staff


class ApiToken(models.Model):
    """A bearer token for a partner system using the detailed statistics API.

    Only a keyed hash of the token is stored; the token is shown once when created
    (``salingsapa api-token create USERNAME --name ...``). It acts as its user, with that user's scope.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
