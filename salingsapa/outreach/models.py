"""Mobile counselling (konseling keliling): visits, their team, private slots and bookings.

The professionals' rota at the Rumah Kolaborasi is modelled as visits too, with the venue kind
``rumah_kolaborasi``: one model, one booking flow, one public schedule (docs/architecture.md).

Data classes (shared/DESIGN.md): a published visit is public (date, times, kelurahan, venue,
services); the team and the slots are internal; a booking's contact details are personal and
sealed (``core.fields``), the phone blind-indexed; the codename is stored only as a slow hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedTextField
from salingsapa.intake.models import CodenameRequest


class VenueKind(models.TextChoices):
    SCHOOL = "school", _("Sekolah")
    POSYANDU = "posyandu", _("Posyandu")
    KELURAHAN_OFFICE = "kelurahan_office", _("Kantor kelurahan")
    MOSQUE = "mosque", _("Masjid / musala")
    CHURCH = "church", _("Gereja")
    COMMUNITY_HALL = "community_hall", _("Balai warga")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    RUMAH_KOLABORASI = "rumah_kolaborasi", _("Rumah Kolaborasi Saling Sapa")
    OTHER = "other", _("Tempat lain")


class TeamRole(models.TextChoices):
    COUNSELLOR = "counsellor", _("Konselor")
    PSYCHOLOGIST = "psychologist", _("Psikolog")
    LEGAL_AID = "legal_aid", _("Pendamping hukum")
    SOCIAL_WORKER = "social_worker", _("Pekerja sosial")
    HEALTH_WORKER = "health_worker", _("Tenaga kesehatan")
    COORDINATOR = "coordinator", _("Koordinator")


class Visit(models.Model):
    """One mobile-counselling visit (or one rota session at the Rumah Kolaborasi)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        PUBLISHED = "published", _("Diumumkan")
        CANCELLED = "cancelled", _("Dibatalkan")

    date = models.DateField(_("tanggal"), db_index=True)
    start_time = models.TimeField(_("jam mulai"))
    end_time = models.TimeField(_("jam selesai"))
    kelurahan = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    venue_kind = models.CharField(_("jenis tempat"), max_length=20, choices=VenueKind.choices)
    venue_name = models.CharField(_("nama tempat"), max_length=200)
    services = models.JSONField(_("layanan"), default=list, blank=True)  # slugs of the "service" code list
    public_note = models.CharField(_("catatan untuk umum"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"))
    published_at = models.DateTimeField(_("diumumkan"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking of staff edits (as Case.version)

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="visit_end_after_start"),
        ]
        verbose_name = verbose_name_plural = _("kunjungan konseling keliling")

    def __str__(self) -> str:
        return f"{self.date} {self.venue_name}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class VisitMember(models.Model):
    """A staff or partner professional on a visit's team, with their role."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outreach_visits")
    role = models.CharField(_("peran"), max_length=20, choices=TeamRole.choices)

    class Meta:
        ordering = ["visit", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "user"], name="visit_member_once")]
        verbose_name = verbose_name_plural = _("anggota tim kunjungan")

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.user_id} ({self.role})"


class Slot(models.Model):
    """A private appointment slot at a visit, with one professional. Never shown to the public
    except as a count of free slots and, to the person who booked it, its time."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("mulai"))
    minutes = models.PositiveSmallIntegerField(_("lama (menit)"), default=30)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="outreach_slots",
        verbose_name=_("tenaga profesional"),
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "starts_at", "professional"], name="slot_once_per_professional"),
        ]
        verbose_name = verbose_name_plural = _("slot janji temu")

    def __str__(self) -> str:
        return f"slot #{self.pk}"


class Booking(CodenameRequest):
    """A request from the public: a slot at a visit, a visit to a school or kelurahan, or a call-back.

    Anonymous or with contact details (sealed). Followed up, cancelled or moved with the reference
    and the codename, exactly as a report. At most one active booking holds a slot: a partial
    unique index (``booking_one_active_per_slot``) makes double booking impossible whatever the
    concurrency.
    """

    class Kind(models.TextChoices):
        SLOT = "slot", _("Janji temu konseling")
        VISIT_REQUEST = "visit_request", _("Permintaan kunjungan")
        CALLBACK = "callback", _("Minta dihubungi")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        CANCELLED = "cancelled", _("Dibatalkan")
        DONE = "done", _("Selesai")

    reference = models.CharField(_("nomor janji"), max_length=20, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.SLOT)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    slot = models.ForeignKey(
        Slot, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    created_at = models.DateTimeField(_("dibuat"))
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)

    anonymous = models.BooleanField(_("tanpa nama"), default=True)
    contact_name = EncryptedTextField(_("nama"), blank=True, default="")
    contact_phone = EncryptedTextField(_("telepon"), blank=True, default="")
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_email = EncryptedTextField(_("email"), blank=True, default="")
    preferred_channel = models.CharField(_("saluran aman"), max_length=20, blank=True)
    safe_time = EncryptedTextField(_("waktu aman dihubungi"), blank=True, default="")
    topic = EncryptedTextField(_("yang ingin dibicarakan"), blank=True, default="")

    # A request for a visit: where (kelurahan, kind of place and its name) and when would suit.
    requested_kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("kelurahan yang diminta"),
    )
    requested_venue_kind = models.CharField(_("jenis tempat"), max_length=20, choices=VenueKind.choices, blank=True)
    requested_venue_name = models.CharField(_("nama tempat"), max_length=200, blank=True)
    requested_when = models.CharField(_("waktu yang cocok"), max_length=200, blank=True)

    reminder_due_at = models.DateTimeField(_("pengingat dijadwalkan"), null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(_("pengingat dikirim"), null=True, blank=True)
    reminder_via = models.CharField(_("pengingat lewat"), max_length=20, blank=True)
    # The person's language when they booked (a code of settings.LANGUAGES): reminders and notices of a
    # change are written in it. The visit's time or place changed after the booking (shown on its page).
    language = models.CharField(_("bahasa"), max_length=8, default="id")
    visit_changed_at = models.DateTimeField(_("jadwal diubah"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="active"), name="booking_one_active_per_slot"
            ),
            models.CheckConstraint(
                condition=~Q(kind="slot") | Q(slot__isnull=False), name="booking_slot_kind_has_slot"
            ),
        ]
        verbose_name = verbose_name_plural = _("janji temu")

    def __str__(self) -> str:
        return self.reference
