"""Sessions a counsellor records during a mobile-counselling visit (konseling keliling).

A session is either a general consultation, counted anonymously (sex, age group, topic: no name,
no narrative), or a disclosure of violence, which became a report in the intake queue
(``intake.services.report_create``, channel ``outreach``) and is linked here. Each session carries
the id the counsellor's device gave it (``client_id``): a unique constraint makes every sync of the
same entry land once, however often the device sends it (docs/architecture.md, "Field sessions").

Data class (shared/DESIGN.md): internal (codes, dates, kelurahan); the disclosure's content lives
only in the sealed report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FieldSession(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Konsultasi umum")
        DISCLOSURE = "disclosure", _("Pengungkapan kekerasan")

    client_id = models.UUIDField(_("nomor catatan perangkat"), unique=True, editable=False)
    visit = models.ForeignKey("outreach.Visit", on_delete=models.PROTECT, related_name="field_sessions",
                              verbose_name=_("kunjungan"))
    kind = models.CharField(_("jenis sesi"), max_length=20, choices=Kind.choices, db_index=True)
    sex = models.CharField(_("jenis kelamin"), max_length=10)  # "sex" code list
    age_group = models.CharField(_("kelompok umur"), max_length=10)  # "age_group" code list
    topic = models.CharField(_("topik"), max_length=40, blank=True)  # "counselling_topic"; blank for a disclosure
    # Where the visit took place (copied from the visit, so counts by area need no join through outreach).
    kelurahan = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("kelurahan"))
    report = models.OneToOneField("intake.Report", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="field_session", verbose_name=_("pengaduan"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat"), db_index=True)  # on the device (clamped to the sync time)
    synced_at = models.DateTimeField(_("diterima server"))

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="disclosure", report__isnull=False) | Q(kind="consultation", report__isnull=True)),
                name="field_session_disclosure_has_report",
            ),
        ]
        verbose_name = verbose_name_plural = _("sesi lapangan")

    def __str__(self) -> str:
        return f"sesi #{self.pk}"
