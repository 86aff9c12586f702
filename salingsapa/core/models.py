from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salingsapa.core import identifiers
from salingsapa.core.fields import EncryptedTextField


class Timestamped(models.Model):
    """When a row was created and last saved, both kept by Django (``auto_now_add`` / ``auto_now``)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SealedIdentifier(models.Model):
    """An identifier of a person (phone, NIK, social-media account): its kind, the value sealed, and the
    value's blind index (``core.identifiers``) for exact-match lookups such as repeat-perpetrator links."""

    kind = models.CharField(_("jenis"), max_length=20)
    value = EncryptedTextField(_("nilai"))
    value_index = models.CharField(max_length=64, db_index=True)

    class Meta:
        abstract = True

    @property
    def kind_label(self) -> str:
        return identifiers.kind_label(self.kind)


class Region(models.Model):
    """An administrative region keyed by its Kemendagri code (province → kab/kota → kecamatan → kelurahan/desa)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")
        DISTRICT = 3, _("Kecamatan")
        VILLAGE = 4, _("Kelurahan/Desa")

    code = models.CharField(_("kode Kemendagri"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=20, blank=True)  # kelurahan / desa / kota / kabupaten
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    population = models.PositiveIntegerField(_("jumlah penduduk"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Code(models.Model):
    """One entry of a reference code list (forms of violence, places, relationships, ...).

    ``slug`` is the stable value used in the database, the API and exports; labels are shown to
    people in their language.
    """

    list = models.CharField(_("daftar"), max_length=40, db_index=True)
    slug = models.CharField(_("kode"), max_length=60)
    label_id = models.CharField(_("label (Indonesia)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    parent = models.CharField(_("induk"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["list", "order", "slug"]
        constraints = [models.UniqueConstraint(fields=["list", "slug"], name="code_unique_slug_per_list")]
        verbose_name = verbose_name_plural = _("kode referensi")

    def __str__(self) -> str:
        return f"{self.list}: {self.label}"

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "id").startswith("en") else self.label_id


class AuditEvent(models.Model):
    """Append-only, hash-chained log of who did what to which personal or sensitive record.

    ``detail`` never holds personal data: identifiers of records and field names only.
    Database triggers refuse UPDATE and DELETE; ``salingsapa audit verify`` checks the chain.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("buat")
        READ = "read", _("baca")
        UPDATE = "update", _("ubah")
        DELETE = "delete", _("hapus")
        EXPORT = "export", _("ekspor")
        LOGIN = "login", _("masuk")
        LOGIN_FAILED = "login_failed", _("gagal masuk")
        LOGOUT = "logout", _("keluar")
        DENIED = "denied", _("ditolak")

    at = models.DateTimeField(_("waktu"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)  # username, "public", "system:..."
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("jenis objek"), max_length=60, blank=True)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_label", "at"], name="audit_actor_at_idx"),  # audit report --user (issue 14)
        ]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("log audit")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class AuditHead(models.Model):
    """A single row holding the newest chain hash; updating it first serialises writers.

    ``mac`` is a keyed MAC of (count, last_hash): someone who deletes the newest entries cannot
    write a matching head without the key. Replaying an older head is caught by the anchors that
    ``salingsapa audit anchor`` writes outside the database.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    count = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, default="", blank=True)


class JobSchedule(models.Model):
    """When each periodic job (``settings.PERIODIC_JOBS``) is next due; workers claim it atomically."""

    name = models.CharField(max_length=60, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)


class WorkerBeat(models.Model):
    """A running `salingsapa worker`: tasks left running by a worker that stops beating are requeued."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)


class RetentionMark(models.Model):
    """A record anonymised or deleted under a retention rule (ids only), so the rules run once per record."""

    kind = models.CharField(max_length=20)  # report, case
    object_id = models.CharField(max_length=64)
    rule = models.CharField(max_length=40)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="retention_mark_unique")]
