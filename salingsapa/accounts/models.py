from __future__ import annotations

import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from salingsapa.core import crypto
from salingsapa.core.fields import EncryptedTextField


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
        verbose_name = verbose_name_plural = _("organisasi")

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


class User(AbstractUser):  # type: ignore[django-manager-missing]  # reverse managers of django-otp devices
    """A staff or partner account. The public never has an account."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.INTAKE_OFFICER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("organisasi"),
    )
    on_duty = models.BooleanField(_("piket (menerima peringatan darurat)"), default=False)
    # Alerts always show in the app; by choice also by email or WhatsApp (notify.people).
    notify_by = models.CharField(
        _("pemberitahuan"), max_length=10, default="app",
        choices=[("app", _("Hanya di aplikasi")), ("email", _("Aplikasi + email")), ("whatsapp", _("Aplikasi + WhatsApp"))],
    )
    notify_phone = EncryptedTextField(_("nomor WhatsApp untuk pemberitahuan"), blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("pengguna")

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
        verbose_name = verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


# --- second factor: devices whose secrets are sealed or hashed at rest ---------------------------
# django-otp's own TOTP and static devices keep the TOTP secret and the recovery codes in plain
# text; these devices plug into the same django-otp machinery (``devices_for_user``, the
# ``OTPMiddleware``'s ``is_verified()``) but store the TOTP secret sealed through ``core.crypto``
# and only a keyed hash of each recovery code.


def _new_totp_secret() -> str:
    return secrets.token_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app (RFC 6238, SHA-1, 6 digits, 30 s) whose secret is sealed at rest."""

    secret = EncryptedTextField(default=_new_totp_secret)  # sealed as "accounts.authenticatordevice.secret"
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)  # the time step of the last accepted code: no replay

    class Meta(Device.Meta):
        verbose_name = verbose_name_plural = _("aplikasi autentikator")

    def get_throttle_factor(self) -> int:
        return 1  # django-otp's exponential back-off after each wrong code

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.secret.encode())

    def _totp(self) -> TOTP:
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def current_code(self) -> str:
        """The code the app shows now (for the demo's ``demo-logins`` only)."""
        return f"{self._totp().token():0{self.digits}d}"

    def seconds_left(self) -> int:
        return int(self.step - (time.time() - self.t0) % self.step)

    def verify_token(self, token: Any) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(str(token))
        except ValueError:
            number = -1
        totp = self._totp()
        verified = number >= 0 and bool(totp.verify(number, self.tolerance, self.last_t + 1))
        if verified:
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "Saling Sapa")).replace(":", "")
        label = quote(f"{issuer}:{self.user.get_username()}")
        params = urlencode({"secret": b32encode(self.bin_key).decode(), "algorithm": "SHA1",
                            "digits": self.digits, "period": self.step})
        return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def _recovery_code_pepper(user_id: int, code: str) -> str:
    normalised = code.strip().replace(" ", "").replace("-", "").lower()
    return crypto.keyed_hash(normalised, purpose=f"recovery-code:{user_id}")


def recovery_code_hash(user_id: int, code: str) -> str:
    """Salted Argon2id (Django's password hasher) of the keyed hash of a normalised recovery code.

    A recovery code has 50 bits, under the 112 bits that a plain hash would need (ASVS 5.0 6.5.2),
    so it gets a slow salted hash; the keyed hash in front of it (key outside the database) is a pepper.
    """
    return make_password(_recovery_code_pepper(user_id, code))


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """Ten one-time recovery codes, stored only as salted slow hashes; each works once."""

    class Meta(Device.Meta):
        verbose_name = verbose_name_plural = _("kode pemulihan")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: Any) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        peppered = _recovery_code_pepper(self.user_id, str(token))
        match = next((c for c in self.codes.all() if check_password(peppered, c.code_hash)), None)
        used = match is not None and RecoveryCode.objects.filter(pk=match.pk).delete()[0] > 0
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return used

    def remaining(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=200)

    @staticmethod
    def random_code() -> str:
        """Ten base32 characters (50 bits), shown once as ``xxxxx-xxxxx``."""
        raw = b32encode(secrets.token_bytes(10)).decode().lower()[:10]
        return f"{raw[:5]}-{raw[5:]}"
