"""Published statistics snapshots: suppressed aggregates a supervisor approved for the public."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedSnapshot(models.Model):
    """One period's public aggregates, already suppressed. Only approved snapshots are public.

    ``data`` holds nothing but suppressed tables (see ``stats/publication.py``); it is computed once
    when the snapshot is prepared and never recomputed, so the public page and the API show the same
    numbers the supervisor approved.
    """

    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    label = models.CharField(_("periode"), max_length=60)
    data = models.JSONField(_("data teragregasi (tersamarkan)"), default=dict)
    prepared_at = models.DateTimeField(_("disiapkan"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("disiapkan oleh"),
    )
    approved_at = models.DateTimeField(_("disetujui"), null=True, blank=True, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("disetujui oleh"),
    )

    class Meta:
        ordering = ["-period_end", "-prepared_at"]
        verbose_name = _("snapshot statistik publik")
        verbose_name_plural = _("snapshot statistik publik")

    def __str__(self) -> str:
        return self.label

    @property
    def is_public(self) -> bool:
        return self.approved_at is not None and self.approved_by_id is not None
