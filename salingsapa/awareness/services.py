"""Writes for awareness events and education articles (keyword-only, audited).

The review rule of articles lives here: the author, and anyone who changed the text since it was
last a draft, cannot publish it; a second person does. Every publication and every refusal is
written to the audit log. The database backs the rule with a check constraint
(``awareness_article_not_self_published``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salingsapa.accounts.models import Organisation
from salingsapa.awareness import files
from salingsapa.awareness.models import (
    ATTENDANCE_FIELDS,
    MAX_ATTENDANCE,
    Article,
    ArticleImage,
    AwarenessEvent,
    EventMaterial,
)
from salingsapa.awareness.sanitize import clean_html
from salingsapa.core.audit import audit_log
from salingsapa.core.models import Region

EVENT_FIELDS = ("title", "topic", "audiences", "held_on", "venue", "kelurahan", "notes")


class AwarenessError(Exception):
    """A refused write; ``message`` is for the person, ``field`` the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def can_manage(user: Any) -> bool:
    """Lead-agency staff plan events and write articles; partners and the media do not."""
    return bool(getattr(user, "is_authenticated", False) and user.is_lead_agency_staff)


def _require(actor: Any) -> None:
    if not can_manage(actor):
        raise AwarenessError(_("Anda tidak berwenang mengubah data sosialisasi dan edukasi."))


def attendance_problems(counts: dict[str, int], total: int | None) -> dict[str, str]:
    """Per-field messages for impossible attendance: negative or huge cells, a total that is not their sum."""
    problems: dict[str, str] = {}
    for field, _sex, _band in ATTENDANCE_FIELDS:
        value = counts.get(field, 0)
        if value < 0:
            problems[field] = _("Jumlah tidak boleh negatif.")
        elif value > MAX_ATTENDANCE:
            problems[field] = _("Jumlah terlalu besar untuk satu kegiatan (paling banyak %(n)d).") % {"n": MAX_ATTENDANCE}
    if problems:
        return problems
    summed = sum(counts.get(f, 0) for f, _s, _b in ATTENDANCE_FIELDS)
    if summed == 0:
        problems["participants_total"] = _("Isi jumlah peserta menurut jenis kelamin dan umur (paling sedikit 1).")
    elif total is None:
        problems["participants_total"] = _("Isi jumlah peserta.")
    elif total != summed:
        problems["participants_total"] = _(
            "Jumlah peserta (%(total)d) tidak sama dengan jumlah menurut jenis kelamin dan umur (%(sum)d)."
        ) % {"total": total, "sum": summed}
    return problems


def _event_apply(event: AwarenessEvent, data: dict[str, Any]) -> None:
    kelurahan = data["kelurahan"]
    if not isinstance(kelurahan, Region) or kelurahan.level != Region.Level.VILLAGE:
        raise AwarenessError(_("Pilih kelurahan."), field="kelurahan")
    counts = {f: int(data.get(f) or 0) for f, _s, _b in ATTENDANCE_FIELDS}
    problems = attendance_problems(counts, data.get("participants_total"))
    if problems:
        field, message = next(iter(problems.items()))
        raise AwarenessError(message, field=field)
    for name in EVENT_FIELDS:
        setattr(event, name, data[name] if name != "notes" else data.get("notes", ""))
    for name, value in counts.items():
        setattr(event, name, value)
    event.participants_total = sum(counts.values())


Upload = tuple[bytes, str]  # (content, file name as sent)


def _materials_clean(uploads: list[Upload]) -> list[tuple[files.CleanFile, str]]:
    """Clean and seal every file before anything is written; one refusal refuses them all (nothing kept)."""
    stored: list[tuple[files.CleanFile, str]] = []
    for data, name in uploads:
        try:
            stored.append((files.material_store(data), name))
        except files.FileRejected as exc:
            for done, _name in stored:
                files.file_delete(done.storage_name)
            raise AwarenessError(f"{name[-60:]}: {exc.message}" if name else exc.message, field="materials") from None
    return stored


def _event_save(actor: Any, event: AwarenessEvent, data: dict[str, Any], partners: list[Organisation] | None,
                uploads: list[Upload] | None, action: str) -> AwarenessEvent:
    _require(actor)
    _event_apply(event, data)  # refuses bad input before any file is touched
    stored = _materials_clean(uploads or [])
    try:
        with transaction.atomic():
            event.save()
            event.partners.set(partners or [])
            for clean, name in stored:
                EventMaterial.objects.create(
                    event=event, storage_name=clean.storage_name, content_type=clean.content_type, size=clean.size,
                    sha256=clean.sha256, original_name=(name or "")[-120:], uploaded_by=actor,
                )
            audit_log(actor=actor, action=action, object_type="awareness_event", object_id=event.pk,
                      detail={"topic": event.topic, "kelurahan": event.kelurahan_id,
                              "participants": event.participants_total, "materials_added": len(stored)})
    except Exception:
        for clean, _name in stored:
            files.file_delete(clean.storage_name)
        raise
    return event


def event_create(*, actor: Any, data: dict[str, Any], partners: list[Organisation] | None = None,
                 materials: list[Upload] | None = None) -> AwarenessEvent:
    """Record an event; ``materials`` are cleaned (metadata, active PDF content) and sealed."""
    return _event_save(actor, AwarenessEvent(created_by=actor), data, partners, materials, "create")


def event_update(*, actor: Any, event: AwarenessEvent, data: dict[str, Any],
                 partners: list[Organisation] | None = None, materials: list[Upload] | None = None) -> AwarenessEvent:
    return _event_save(actor, event, data, partners, materials, "update")


@transaction.atomic
def material_remove(*, actor: Any, material: EventMaterial) -> None:
    _require(actor)
    audit_log(actor=actor, action="delete", object_type="awareness_material", object_id=material.pk,
              detail={"event": material.event_id})
    name = material.storage_name
    material.delete()
    transaction.on_commit(lambda: files.file_delete(name))


# --- education articles ---------------------------------------------------------------------------------

ARTICLE_TEXT = ("title_id", "summary_id", "body_id", "title_en", "summary_en", "body_en")


def _article_apply(article: Article, data: dict[str, Any]) -> None:
    for name in ARTICLE_TEXT:
        value = (data.get(name) or "").strip()
        setattr(article, name, clean_html(value) if name.startswith("body_") else value)
    if not article.body_id:
        raise AwarenessError(_("Isi artikel kosong setelah dibersihkan. Tulis teks biasa."), field="body_id")
    if bool(article.title_en) != bool(article.body_en):
        raise AwarenessError(_("Versi bahasa Inggris perlu judul dan isi, atau kosongkan keduanya."), field="body_en")
    article.slug = data["slug"]
    article.order = data.get("order") or 10


@transaction.atomic
def article_create(*, actor: Any, data: dict[str, Any]) -> Article:
    _require(actor)
    if Article.objects.filter(slug=data["slug"]).exists():
        raise AwarenessError(_("Alamat halaman ini sudah dipakai artikel lain."), field="slug")
    article = Article(author=actor, editors=[actor.pk])
    _article_apply(article, data)
    article.save()
    audit_log(actor=actor, action="create", object_type="article", object_id=article.pk, detail={"slug": article.slug})
    return article


@transaction.atomic
def article_update(*, actor: Any, article: Article, data: dict[str, Any]) -> Article:
    """Change the text of a draft or of an article under review. A published article is withdrawn first."""
    _require(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.PUBLISHED:
        raise AwarenessError(_("Artikel yang sudah terbit tidak dapat diubah. Tarik dulu dari halaman publik."))
    if Article.objects.filter(slug=data["slug"]).exclude(pk=article.pk).exists():
        raise AwarenessError(_("Alamat halaman ini sudah dipakai artikel lain."), field="slug")
    _article_apply(article, data)
    if actor.pk not in article.editors:
        article.editors = [*article.editors, actor.pk]
    article.save()
    audit_log(actor=actor, action="update", object_type="article", object_id=article.pk,
              detail={"status": article.status})
    return article


def _article_move(actor: Any, article: Article, *, expected: str, refusal: str, to: str, action: str,
                  **changes: Any) -> Article:
    """One step of the review workflow: lock the row, check the status it must have, set the new one
    (and ``changes``), save and audit."""
    _require(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != expected:
        raise AwarenessError(refusal)
    article.status = to
    for name, value in changes.items():
        setattr(article, name, value)
    article.save(update_fields=["status", *changes, "updated_at"])
    audit_log(actor=actor, action=action, object_type="article", object_id=article.pk)
    return article


@transaction.atomic
def article_submit(*, actor: Any, article: Article) -> Article:
    return _article_move(actor, article, expected=Article.Status.DRAFT, to=Article.Status.REVIEW, action="submit",
                         refusal=_("Hanya draf yang dapat diajukan untuk ditinjau."),
                         submitted_at=timezone.now(), review_note="")


def may_publish(actor: Any, article: Article) -> bool:
    return can_manage(actor) and actor.pk != article.author_id and actor.pk not in article.editors


def article_publish(*, actor: Any, article: Article) -> Article:
    """Publish an article under review. The author or an editor of this version is refused (audited)."""
    _require(actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status != Article.Status.REVIEW:
            raise AwarenessError(_("Artikel harus diajukan untuk ditinjau sebelum diterbitkan."))
        if may_publish(actor, article):
            article.status = Article.Status.PUBLISHED
            article.published_at = timezone.now()
            article.published_by = actor
            article.save(update_fields=["status", "published_at", "published_by", "updated_at"])
            audit_log(actor=actor, action="publish", object_type="article", object_id=article.pk,
                      detail={"slug": article.slug, "author": article.author_id})
            return article
    audit_log(actor=actor, action="publish_refused", object_type="article", object_id=article.pk,
              detail={"reason": "author_or_editor"})
    raise AwarenessError(_("Penulis atau penyunting artikel tidak boleh menerbitkannya sendiri. "
                           "Minta rekan lain meninjau dan menerbitkan."))


@transaction.atomic
def article_return(*, actor: Any, article: Article, note: str = "") -> Article:
    """The reviewer sends an article back to its author as a draft, with a note."""
    return _article_move(actor, article, expected=Article.Status.REVIEW, to=Article.Status.DRAFT, action="return",
                         refusal=_("Hanya artikel yang menunggu tinjauan dapat dikembalikan."),
                         review_note=(note or "").strip()[:500])


@transaction.atomic
def article_unpublish(*, actor: Any, article: Article) -> Article:
    """Take an article off the public pages; it becomes a draft that this actor has touched."""
    editors = [article.author_id] if actor.pk == article.author_id else [article.author_id, actor.pk]
    return _article_move(actor, article, expected=Article.Status.PUBLISHED, to=Article.Status.DRAFT,
                         action="unpublish", refusal=_("Artikel ini belum terbit."),
                         published_at=None, published_by=None, editors=editors)


def article_image_add(*, actor: Any, article: Article, data: bytes, alt_id: str, alt_en: str = "") -> ArticleImage:
    """Add an image (metadata stripped, sealed). Counts as an edit: the uploader cannot publish this version."""
    _require(actor)
    if article.status == Article.Status.PUBLISHED:
        raise AwarenessError(_("Artikel yang sudah terbit tidak dapat diubah. Tarik dulu dari halaman publik."))
    if not alt_id.strip():
        raise AwarenessError(_("Tulis teks alternatif: apa yang tampak di gambar, untuk pembaca layar."), field="alt_id")
    try:
        stored = files.image_store(data)
    except files.FileRejected as exc:
        raise AwarenessError(exc.message, field="image") from None
    try:
        with transaction.atomic():
            image = ArticleImage.objects.create(
                article=article, storage_name=stored.storage_name, content_type=stored.content_type,
                size=stored.size, width=stored.width, height=stored.height, alt_id=alt_id.strip()[:300],
                alt_en=alt_en.strip()[:300], uploaded_by=actor,
            )
            if actor.pk not in article.editors:
                article.editors = [*article.editors, actor.pk]
                article.save(update_fields=["editors", "updated_at"])
            audit_log(actor=actor, action="upload", object_type="article_image", object_id=image.pk,
                      detail={"article": article.pk, "size": stored.size})
    except Exception:
        files.file_delete(stored.storage_name)
        raise
    return image


@transaction.atomic
def article_image_remove(*, actor: Any, image: ArticleImage) -> None:
    _require(actor)
    if image.article.status == Article.Status.PUBLISHED:
        raise AwarenessError(_("Artikel yang sudah terbit tidak dapat diubah. Tarik dulu dari halaman publik."))
    audit_log(actor=actor, action="delete", object_type="article_image", object_id=image.pk,
              detail={"article": image.article_id})
    name = image.storage_name
    image.delete()
    transaction.on_commit(lambda: files.file_delete(name))
