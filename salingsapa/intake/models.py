"""Reports (pengaduan) from every channel, before they become cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedTextField
from salingsapa.core.models import SealedIdentifier


class Channel(models.TextChoices):
    WEB = "web", _("Situs web")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Telepon")
    WALK_IN = "walk_in", _("Datang langsung")
    OUTREACH = "outreach", _("Konseling keliling")
    SAPA129 = "sapa129", _("Rujukan SAPA 129")
    PARTNER = "partner", _("Rujukan mitra")
    API = "api", _("Aplikasi mitra (API)")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("Tinggi")
    MEDIUM = "medium", _("Sedang")
    LOW = "low", _("Rendah")


class CodenameRequest(models.Model):
    """What a request from the public keeps to be followed up by its codename and received once only, however
    often it is sent (reports here, outreach bookings): hashes only, blanked by retention with the rest."""

    codename_hash = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)  # keyed hash of the key
    # Keyed hash of the validated submission: a reused idempotency key with other content is refused.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        abstract = True


class Report(CodenameRequest):
    """One report (pengaduan) as it arrived. Never deleted; a non-violence report keeps its reason."""

    class Status(models.TextChoices):
        NEW = "new", _("Baru")
        IN_REVIEW = "in_review", _("Sedang ditelaah")
        CASE_OPENED = "case_opened", _("Kasus dibuka")
        ATTACHED = "attached", _("Digabung ke kasus")
        NOT_VIOLENCE = "not_violence", _("Bukan kasus kekerasan")
        REFERRED_OUT = "referred_out", _("Dirujuk ke luar wilayah")

    reference = models.CharField(_("nomor pengaduan"), max_length=20, unique=True)
    channel = models.CharField(_("saluran"), max_length=20, choices=Channel.choices, db_index=True)
    received_at = models.DateTimeField(_("diterima"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    status_reason = EncryptedTextField(_("alasan status"), blank=True, default="")
    is_emergency = models.BooleanField(_("darurat"), default=False, db_index=True)
    risk_level = models.CharField(_("tingkat risiko"), max_length=10, choices=RiskLevel.choices, blank=True)

    reporter_role = models.CharField(_("pelapor"), max_length=20)
    in_danger_now = models.BooleanField(_("dalam bahaya saat ini"), default=False)
    narrative = EncryptedTextField(_("kronologi"))
    violence_forms = models.JSONField(_("bentuk kekerasan"), default=list)
    tpks_forms = models.JSONField(_("bentuk TPKS"), default=list, blank=True)
    victim_sex = models.CharField(_("jenis kelamin korban"), max_length=10)
    victim_age_group = models.CharField(_("kelompok umur korban"), max_length=10)
    victim_is_child = models.BooleanField(_("korban anak"), default=False)
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    place = models.CharField(_("tempat kejadian"), max_length=40, blank=True)
    relationship = models.CharField(_("hubungan pelaku"), max_length=40, blank=True)
    met_via = models.CharField(_("cara kenal"), max_length=40, blank=True)
    met_via_platform = models.CharField(_("platform"), max_length=40, blank=True)

    contact_name = EncryptedTextField(_("nama kontak"), blank=True, default="")
    contact_phone = EncryptedTextField(_("telepon kontak"), blank=True, default="")
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_email = EncryptedTextField(_("email kontak"), blank=True, default="")
    preferred_channel = models.CharField(_("saluran aman"), max_length=20, blank=True)
    safe_time = EncryptedTextField(_("waktu aman dihubungi"), blank=True, default="")
    consent_contact = models.BooleanField(_("setuju dihubungi"), default=False)
    consent_share = models.BooleanField(_("setuju dibagikan ke mitra layanan"), default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="reports", verbose_name=_("kasus")
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "is_emergency", "received_at"], name="report_queue_idx"),
            # the intake queue: only open reports, a small part of the table at any size (issue 14)
            models.Index(fields=["received_at", "id"], name="report_open_idx",
                         condition=models.Q(status__in=["new", "in_review"])),
        ]
        verbose_name = verbose_name_plural = _("pengaduan")

    def __str__(self) -> str:
        return self.reference


class ReportIdentifier(SealedIdentifier):
    """An identifier of the alleged perpetrator given in a report (phone, NIK, social-media account)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="identifiers")

    class Meta:
        verbose_name = verbose_name_plural = _("identitas pelaku dalam pengaduan")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"  # never the value itself


class Evidence(models.Model):
    """An evidence file, sealed on disk; only the storage name is kept here.

    Evidence is never deleted (``on_delete=PROTECT``, no delete path in the app). Staff may hide a
    file (with a reason, audited): a hidden file is no longer shown inline nor to any partner.
    """

    # How the file came in: with the report, by the report's channel (the web one named for its form), or
    # later, sent with the codename.
    FOLLOWUP = "followup"
    SOURCES = [
        (Channel.WEB.value, _("Formulir situs web")),
        *[(channel.value, channel.label) for channel in Channel if channel != Channel.WEB],
        (FOLLOWUP, _("Susulan lewat kode rahasia")),
    ]

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="evidence")
    storage_name = models.CharField(max_length=80)
    original_name = EncryptedTextField(_("nama berkas"), blank=True, default="")
    content_type = models.CharField(_("jenis berkas"), max_length=60)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(max_length=64)  # of the cleaned bytes, taken at receipt before sealing
    uploaded_at = models.DateTimeField(_("diunggah"))
    source = models.CharField(_("diterima lewat"), max_length=20, choices=SOURCES, blank=True)
    hidden_at = models.DateTimeField(_("disembunyikan"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = EncryptedTextField(_("alasan disembunyikan"), blank=True, default="")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = verbose_name_plural = _("bukti")

    def __str__(self) -> str:
        return f"{self.content_type} #{self.pk}"


class ReportMessage(models.Model):
    """The two-way thread between the person who reported (by codename) and staff."""

    class Sender(models.TextChoices):
        REPORTER = "reporter", _("Pelapor")
        STAFF = "staff", _("Petugas")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(_("pesan"))
    created_at = models.DateTimeField(_("waktu"))
    read_by_staff_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.sender} #{self.pk}"


class PendingUpload(models.Model):
    """A sealed evidence file uploaded into an unfinished web report (a draft in someone's session).

    The row goes when the file is attached to a report or removed from the draft; rows left by
    abandoned drafts are purged with their files by ``salingsapa evidence-cleanup``.
    """

    storage_name = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(db_index=True)
    size = models.PositiveBigIntegerField(default=0)  # cleaned bytes, for the cap on all pending uploads

    def __str__(self) -> str:
        return f"pending #{self.pk}"


class RateCounter(models.Model):
    """One rate-limit bucket: a keyed hash of (purpose, subject, window) and its attempt count.

    Counted with an atomic ``UPDATE ... SET count = count + 1`` in the database, so parallel
    attempts (threads or processes of the server) can never all pass a check-then-write race.
    Rows past ``expires_at`` are removed whenever a new bucket is opened.
    """

    key = models.CharField(max_length=96, unique=True)
    count = models.PositiveBigIntegerField(default=0)  # attempts, files or bytes
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("penghitung batas percobaan")
