"""Published statistics snapshots: suppressed aggregates a supervisor approved for the public."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salingsapa.core.fields import EncryptedTextField
from salingsapa.stats.filters import StatsFilter


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
    # Set at the first approval and never cleared: a withdrawn snapshot may have been copied, so the
    # differencing check (``stats/disclosure.py``) keeps counting it as published.
    first_published_at = models.DateTimeField(_("pertama dipublikasikan"), null=True, blank=True)
    extra_suppressed = models.PositiveIntegerField(_("sel tambahan disamarkan"), default=0)

    class Meta:
        ordering = ["-period_end", "-prepared_at"]
        verbose_name = verbose_name_plural = _("snapshot statistik publik")

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        """The period in the reader's language ("Jan–Okt 2025" / "Jan–Oct 2025")."""
        return StatsFilter(start=self.period_start, end=self.period_end).label(get_language() or "id")

    @property
    def is_public(self) -> bool:
        return self.approved_at is not None and self.approved_by_id is not None


class ExportJob(models.Model):
    """An export run as a background job with progress (web exports; the command runs in the foreground).

    The file itself is kept in the one-time download store (``stats.exports.stash``); the password of an
    encrypted export is kept sealed only until the requester has seen it once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    fmt = models.CharField(max_length=10)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=64, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    password = EncryptedTextField(blank=True, default="")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def kind_label(self) -> str:
        """What people read for the export's kind and format, e.g. "SIMFONI-PPA · XLSX" (never the slug)."""
        kinds = {"simfoni": "SIMFONI-PPA", "research": str(_("Riset (tanpa identitas)"))}
        return f"{kinds.get(self.kind, self.kind)} · {self.fmt.upper()}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class StatsFact(models.Model):
    """Pre-aggregated counts: one row per (WIB month, office, kelurahan, dimension, category).

    Maintained by ``stats/rollup.py`` (rebuilt by ``salingsapa stats rebuild``, refreshed month by month
    after writes through the services); read by ``stats/engine.py`` instead of the case tables whenever a
    filter allows (docs/performance.md, "Rollups"). ``n`` is the count (distinct cases or victim links, as
    the engine counts them); ``total`` the sum of durations in microseconds where the dimension has one.
    """

    month = models.IntegerField()  # yyyymm of Case.reported_at / Report.received_at in Asia/Jakarta
    organisation_id = models.IntegerField(null=True)  # the case's office; NULL for reports
    kelurahan_id = models.CharField(max_length=20, null=True)  # Region code, NULL when not recorded
    dimension = models.CharField(max_length=20)
    category = models.CharField(max_length=60, null=True)  # raw value (NULL / "" = not recorded)
    n = models.BigIntegerField()
    total = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dimension", "month"], name="stats_fact_dim_month"),
                   models.Index(fields=["month", "organisation_id"], name="stats_fact_month_org")]


class RollupState(models.Model):
    """The one row saying whether the rollups can be read (``stats/rollup.py``)."""

    built_at = models.DateTimeField(null=True)  # last full rebuild
    refreshed_at = models.DateTimeField(null=True)  # last rebuild or refresh
    stale = models.BooleanField(default=True)  # a change without ids was announced: read live until rebuilt
    last_case_id = models.BigIntegerField(default=0)  # max ids the rollups saw: a row loaded behind their
    last_report_id = models.BigIntegerField(default=0)  # back (bulk insert, hand edit) turns them off


class RollupDirty(models.Model):
    """A case or report written since the rollups were refreshed (queued in the writer's transaction)."""

    case_id = models.BigIntegerField(null=True)
    report_id = models.BigIntegerField(null=True)
