"""Awareness events (sosialisasi) and public education content.

Both are public-class data (shared/DESIGN.md, "Data protection model"): an event records a place, a
topic and head counts, never who attended; an article is public once a second person has published it.
Uploaded files (event materials, article images) are still cleaned of metadata and sealed at rest like
evidence (``awareness.files``), because a photo's EXIF can place the person who took it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.core.models import Timestamped


class Topic(models.TextChoices):
    ONLINE_GROOMING = "online_grooming", _("Grooming daring di media sosial")
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse", _("Pencegahan kekerasan seksual terhadap anak")
    ECONOMIC_STRESS = "economic_stress", _("Tekanan ekonomi dan kekerasan dalam keluarga")
    TPKS_RIGHTS = "tpks_rights", _("Hak korban menurut UU TPKS")
    CHILD_MARRIAGE = "child_marriage", _("Pencegahan perkawinan anak")
    BULLYING = "bullying", _("Perundungan di sekolah")
    HOW_TO_REPORT = "how_to_report", _("Cara melapor dan layanan yang tersedia")
    OTHER = "other", _("Topik lainnya")


class Audience(models.TextChoices):
    STUDENTS = "students", _("Pelajar")
    PARENTS = "parents", _("Orang tua")
    TEACHERS = "teachers", _("Guru")
    PATBM = "patbm", _("PATBM (perlindungan anak terpadu berbasis masyarakat)")
    RELIGIOUS_LEADERS = "religious_leaders", _("Tokoh agama")
    COMMUNITY_LEADERS = "community_leaders", _("Tokoh masyarakat dan pengurus RT/RW")
    CADRES = "cadres", _("Kader posyandu dan PKK")
    YOUTH = "youth", _("Remaja dan karang taruna")
    OFFICIALS = "officials", _("Aparat kelurahan dan kecamatan")
    OTHER = "other", _("Peserta lainnya")


# Attendance cells: (field, sex, age band). Bands are coarse on purpose: a sign-in sheet gives no more.
ATTENDANCE_FIELDS = (
    ("female_child", "female", "child"), ("male_child", "male", "child"),
    ("female_adult", "female", "adult"), ("male_adult", "male", "adult"),
    ("female_older", "female", "older"), ("male_older", "male", "older"),
)
MAX_ATTENDANCE = 5000  # one event; a bigger number is a typing slip


class AwarenessEvent(Timestamped):
    title = models.CharField(_("judul kegiatan"), max_length=200)
    topic = models.CharField(_("topik"), max_length=40, choices=Topic.choices)
    audiences = models.JSONField(_("sasaran peserta"), default=list)  # Audience slugs
    held_on = models.DateField(_("tanggal"))
    venue = models.CharField(_("tempat"), max_length=200)
    kelurahan = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan"),
    )
    partners = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="awareness_events", verbose_name=_("organisasi mitra"),
    )
    female_child = models.PositiveIntegerField(_("perempuan di bawah 18 tahun"), default=0)
    male_child = models.PositiveIntegerField(_("laki-laki di bawah 18 tahun"), default=0)
    female_adult = models.PositiveIntegerField(_("perempuan 18-59 tahun"), default=0)
    male_adult = models.PositiveIntegerField(_("laki-laki 18-59 tahun"), default=0)
    female_older = models.PositiveIntegerField(_("perempuan 60 tahun ke atas"), default=0)
    male_older = models.PositiveIntegerField(_("laki-laki 60 tahun ke atas"), default=0)
    participants_total = models.PositiveIntegerField(_("jumlah peserta"))
    notes = models.TextField(_("catatan kegiatan"), blank=True, max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = verbose_name_plural = _("sosialisasi")
        indexes = [models.Index(fields=["held_on", "kelurahan"]), models.Index(fields=["topic", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants_total=models.F("female_child") + models.F("male_child")
                                   + models.F("female_adult") + models.F("male_adult")
                                   + models.F("female_older") + models.F("male_older")),
                name="awareness_event_total_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def female(self) -> int:
        return self.female_child + self.female_adult + self.female_older

    @property
    def male(self) -> int:
        return self.male_child + self.male_adult + self.male_older

    @property
    def children(self) -> int:
        return self.female_child + self.male_child

    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels[a]) for a in self.audiences if a in labels]


class StoredFile(models.Model):
    """What event materials and article images share: a file cleaned and sealed at rest by ``awareness.files``
    under its storage name, who uploaded it and when; listed in upload order."""

    storage_name = models.CharField(max_length=80)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]


class EventMaterial(StoredFile):
    """A file used at an event (slides as PDF, a leaflet, a photo)."""

    event = models.ForeignKey(AwarenessEvent, on_delete=models.CASCADE, related_name="materials")
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=120, blank=True)


class Article(Timestamped):
    """A public education page. Draft → review → published by a second person (``awareness.services``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        REVIEW = "review", _("Menunggu tinjauan")
        PUBLISHED = "published", _("Terbit")

    slug = models.SlugField(_("alamat halaman"), max_length=80, unique=True)
    title_id = models.CharField(_("judul (Bahasa Indonesia)"), max_length=200)
    summary_id = models.CharField(_("ringkasan (Bahasa Indonesia)"), max_length=400)
    body_id = models.TextField(_("isi (Bahasa Indonesia)"))
    title_en = models.CharField(_("judul (English)"), max_length=200, blank=True)
    summary_en = models.CharField(_("ringkasan (English)"), max_length=400, blank=True)
    body_en = models.TextField(_("isi (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan di daftar"), default=10)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Everyone who changed the text since it was last a draft: none of them may publish it.
    editors = models.JSONField(default=list)
    review_note = models.CharField(_("catatan peninjau"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = verbose_name_plural = _("artikel edukasi")
        constraints = [
            # the database refuses a self-published article too, whatever path wrote it
            models.CheckConstraint(
                condition=models.Q(published_by__isnull=True) | ~models.Q(published_by=models.F("author")),
                name="awareness_article_not_self_published",
            ),
        ]

    def __str__(self) -> str:
        return self.title_id

    def in_language(self, lang: str) -> dict[str, str]:
        """Title, summary, body and their language: English where written, Indonesian otherwise."""
        if lang.startswith("en") and self.title_en and self.body_en:
            return {"title": self.title_en, "summary": self.summary_en or self.summary_id, "body": self.body_en,
                    "lang": "en"}
        return {"title": self.title_id, "summary": self.summary_id, "body": self.body_id, "lang": "id"}


class ArticleImage(StoredFile):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_id = models.CharField(_("teks alternatif (Bahasa Indonesia)"), max_length=300)
    alt_en = models.CharField(_("teks alternatif (English)"), max_length=300, blank=True)
