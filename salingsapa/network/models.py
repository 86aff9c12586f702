"""The collaboration network: consent, referrals to partners, services delivered, repeat-perpetrator links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedTextField


class Consent(models.Model):
    """What a victim (or, for a child, a parent or guardian) agreed may be shared, with whom, for what.

    A consent covers one case and either one named organisation or every organisation of a kind
    (e.g. any psychology partner), for a list of services. It stops applying the moment
    ``withdrawn_at`` is set.
    """

    class GivenBy(models.TextChoices):
        VICTIM = "victim", _("Korban sendiri")
        PARENT = "parent", _("Orang tua")
        GUARDIAN = "guardian", _("Wali")
        OTHER = "other", _("Pihak lain yang sah")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    victim = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="consents")
    recipient_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("organisasi penerima"),
    )
    recipient_kind = models.CharField(_("jenis organisasi penerima"), max_length=20, blank=True)
    services = models.JSONField(_("layanan"), default=list)  # slugs of the "service" code list
    purpose = EncryptedTextField(_("tujuan"), blank=True, default="")
    given_by = models.CharField(_("diberikan oleh"), max_length=10, choices=GivenBy.choices)
    given_by_person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("pemberi persetujuan (orang tua/wali)"),
    )
    given_by_name = EncryptedTextField(_("nama pemberi persetujuan"), blank=True, default="")
    child_view = EncryptedTextField(_("pendapat anak"), blank=True, default="")
    # Evidence files (photos, recordings, documents) are shared only when the consent says so explicitly
    # and the service's package includes them (network/packages.py).
    include_evidence = models.BooleanField(_("termasuk berkas bukti"), default=False)
    given_at = models.DateTimeField(_("diberikan pada"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]
        verbose_name = verbose_name_plural = _("persetujuan")


class Referral(models.Model):
    """A case referred to a partner organisation for one named service (rujukan)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Dikirim")
        ACCEPTED = "accepted", _("Diterima")
        DECLINED = "declined", _("Ditolak")
        COMPLETED = "completed", _("Selesai")
        REVOKED = "revoked", _("Dicabut")

    ACTIVE = (Status.SENT, Status.ACCEPTED)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("mitra")
    )
    service = models.CharField(_("layanan"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT, db_index=True)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    emergency_override = models.BooleanField(_("darurat tanpa persetujuan"), default=False)
    override_reason = EncryptedTextField(_("alasan darurat"), blank=True, default="")
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note_to_partner = EncryptedTextField(_("catatan untuk mitra"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"))
    respond_by = models.DateTimeField(_("batas tanggapan"))
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = EncryptedTextField(_("alasan menolak"), blank=True, default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = EncryptedTextField(_("hasil layanan"), blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = EncryptedTextField(_("alasan pencabutan"), blank=True, default="")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [  # the referral list, newest first: a partner's own, and the lead agency's (issue 14)
            models.Index(fields=["organisation", "-created_at", "-id"], name="referral_org_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="referral_created_idx"),
        ]
        verbose_name = verbose_name_plural = _("rujukan")


# The kinds of service a partner records (``ServiceDelivery.kind``; stored as these slugs, shown by label).
DELIVERY_KINDS = [
    ("sesi-konseling", _("Sesi konseling/psikologis")), ("asesmen-psikologis", _("Asesmen psikologis")),
    ("konsultasi-hukum", _("Konsultasi hukum")), ("pendampingan-hukum", _("Pendampingan hukum/persidangan")),
    ("pemeriksaan-medis", _("Pemeriksaan medis")), ("visum", _("Visum et repertum")),
    ("laporan-polisi", _("Laporan polisi/BAP")), ("rumah-aman", _("Rumah aman")), ("lainnya", _("Lainnya")),
]


def delivery_kind_label(kind: str) -> str:
    """The label of a delivery kind in the reader's language; an unknown (older) slug reads as words."""
    return str(dict(DELIVERY_KINDS).get(kind, kind.replace("-", " ").capitalize()))


class ServiceDelivery(models.Model):
    """A session or service a partner delivered under a referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis"), max_length=40)  # e.g. "sesi-konseling", "visum", "pendampingan-sidang"
    summary = EncryptedTextField(_("ringkasan"))
    next_steps = EncryptedTextField(_("langkah berikutnya"), blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["delivered_on", "id"]
        # the dashboard counts the services delivered in a period (stats/service_stats.py)
        indexes = [models.Index(fields=["delivered_on"], name="delivery_on_idx")]

    @property
    def kind_label(self) -> str:
        return delivery_kind_label(self.kind)


class PerpetratorLink(models.Model):
    """Two cases share an identifier of an alleged perpetrator (same phone, NIK or account).

    The alert shows each responsible case manager only the other case's number and manager.
    Stored once per unordered pair of cases (``case_a_id < case_b_id``).
    """

    case_a = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kinds = models.JSONField(default=list)  # which kinds matched: "phone", "instagram", ...
    found_at = models.DateTimeField()
    acknowledged_a_at = models.DateTimeField(null=True, blank=True)
    acknowledged_b_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="perpetrator_link_unique_pair"),
            models.CheckConstraint(condition=models.Q(case_a__lt=models.F("case_b")), name="perpetrator_link_ordered"),
        ]


class CaseConference(models.Model):
    """A case conference (rapat koordinasi kasus), like a MARAC: organisations meet on high-risk cases."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Terjadwal")
        HELD = "held", _("Selesai dilaksanakan")
        CANCELLED = "cancelled", _("Dibatalkan")

    title = models.CharField(_("judul"), max_length=200)
    scheduled_at = models.DateTimeField(_("waktu"))
    place = models.CharField(_("tempat"), max_length=200, default="Rumah Kolaborasi Saling Sapa")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    general_notes = EncryptedTextField(_("catatan umum"), blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = verbose_name_plural = _("rapat koordinasi kasus")


class ConferenceInvite(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="invites")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("hadir"), default=False)
    attendees = EncryptedTextField(_("nama yang hadir"), blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conference", "organisation"], name="conference_invite_unique")]


class ConferenceItem(models.Model):
    """One case on the agenda; its discussion is shown only to attending organisations with consent."""

    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="conference_items")
    order = models.PositiveSmallIntegerField(default=0)
    discussion = EncryptedTextField(_("pembahasan"), blank=True, default="")

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["conference", "case"], name="conference_item_unique")]


class ConferenceAction(models.Model):
    """An agreed action; it becomes a task in the case."""

    item = models.ForeignKey(ConferenceItem, on_delete=models.CASCADE, related_name="actions")
    description = EncryptedTextField(_("tindak lanjut"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("batas waktu"))
    task = models.OneToOneField("cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
