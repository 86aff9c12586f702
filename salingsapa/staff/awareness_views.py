"""Awareness pages under /staf/edukasi/: events (sosialisasi) with their materials, and education
articles with their review (draft → review → published by a second person). Lead-agency staff only;
the planning page (``planning``) is also open to partners, with small counts hidden."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salingsapa.accounts.models import Role
from salingsapa.awareness import files, selectors, services
from salingsapa.awareness.models import (
    ATTENDANCE_FIELDS,
    Article,
    ArticleImage,
    AwarenessEvent,
    EventMaterial,
)
from salingsapa.core.audit import audit_log
from salingsapa.staff import awareness_forms as f
from salingsapa.staff.common import forbidden, page_of
from salingsapa.staff.decorators import casework_required, staff_required
from salingsapa.stats.planning import TOP_N, plan_narrowed, planning_for

ATTENDANCE_NAMES = [name for name, _sex, _band in ATTENDANCE_FIELDS]


def _event_or_404(pk: int) -> AwarenessEvent:
    return get_object_or_404(AwarenessEvent.objects.select_related("kelurahan", "kelurahan__parent", "created_by"),
                             pk=pk)


@casework_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = f.EventFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    if not valid:
        qs = AwarenessEvent.objects.none()
    elif form.is_bound:
        qs = selectors.events_search(**form.search_kwargs())
    else:
        qs = selectors.events_search()
    return render(request, "staff/awareness/event_list.html", {
        "form": form, "page": page_of(request, qs), "title": _("Sosialisasi"),
    }, status=200 if valid else 400)


def _uploads(request: HttpRequest) -> list[tuple[bytes, str]] | str:
    """The chosen material files, or a message when one is too large to read."""
    out = []
    for upload in request.FILES.getlist("materials"):
        if upload.size and upload.size > files.MAX_MATERIAL_BYTES:
            return _("%(name)s: berkas terlalu besar. Ukuran maksimal %(mb)d MB.") % {
                "name": (upload.name or "")[-60:], "mb": files.MAX_MATERIAL_BYTES // (1024 * 1024)}
        out.append((upload.read(), upload.name or ""))
    return out


def _event_form_page(request: HttpRequest, form: Any, event: AwarenessEvent | None, status: int = 200) -> HttpResponse:
    return render(request, "staff/awareness/event_form.html", {
        "form": form, "event": event, "attendance": [form[name] for name in ATTENDANCE_NAMES],
        "title": _("Ubah sosialisasi") if event else _("Catat sosialisasi"),
    }, status=status)


def _event_save(request: HttpRequest, event: AwarenessEvent | None) -> HttpResponse:
    initial = None
    if event is not None:
        initial = {name: getattr(event, name) for name in
                   ["title", "topic", "audiences", "held_on", "venue", "notes", "participants_total", *ATTENDANCE_NAMES]}
        initial["kelurahan"] = event.kelurahan_id
        initial["partners"] = list(event.partners.all())
    if request.method != "POST":
        return _event_form_page(request, f.EventForm(initial=initial), event)
    form = f.EventForm(request.POST)
    if not form.is_valid():
        return _event_form_page(request, form, event, status=400)
    uploads = _uploads(request)
    if isinstance(uploads, str):
        form.add_error(None, uploads)
        return _event_form_page(request, form, event, status=400)
    data = form.cleaned_data
    try:
        if event is None:
            event = services.event_create(actor=request.user, data=data, partners=list(data["partners"]),
                                          materials=uploads)
            messages.success(request, _("Sosialisasi dicatat."))
        else:
            services.event_update(actor=request.user, event=event, data=data, partners=list(data["partners"]),
                                  materials=uploads)
            messages.success(request, _("Perubahan disimpan."))
    except services.AwarenessError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _event_form_page(request, form, event if event and event.pk else None, status=400)
    return HttpResponseRedirect(reverse("awareness:event", args=[event.pk]))


@casework_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    return _event_save(request, None)


@casework_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_save(request, _event_or_404(pk))


def _event_context(event: AwarenessEvent) -> dict[str, Any]:
    fields = AwarenessEvent._meta
    return {
        "event": event, "partners": list(event.partners.all()), "materials": list(event.materials.all()),
        "attendance": [(getattr(fields.get_field(name), "verbose_name", name), getattr(event, name))
                       for name in ATTENDANCE_NAMES],
    }


@casework_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "staff/awareness/event_detail.html", _event_context(_event_or_404(pk)))


@casework_required
def event_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-page summary to print or save as PDF from the browser (no names: head counts only)."""
    return render(request, "staff/awareness/event_print.html", _event_context(_event_or_404(pk)))


@casework_required
def material_download(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    material = get_object_or_404(EventMaterial, pk=material_pk, event_id=pk)
    response = files.stored_response(material.storage_name, material.content_type, material=True)
    audit_log(actor=request.user, action="download", object_type="awareness_material", object_id=material.pk)
    ext = "pdf" if material.content_type == "application/pdf" else material.content_type.split("/")[-1]
    response["Content-Disposition"] = f'attachment; filename="materi-{material.pk}.{ext}"'
    response["Cache-Control"] = "no-store"
    return response


@casework_required
@require_POST
def material_delete(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    material = get_object_or_404(EventMaterial, pk=material_pk, event_id=pk)
    services.material_remove(actor=request.user, material=material)
    messages.success(request, _("Materi dihapus."))
    return HttpResponseRedirect(reverse("awareness:event", args=[pk]))


# --- articles ---------------------------------------------------------------------------------------------

@casework_required
def article_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/awareness/article_list.html", {"articles": selectors.articles_for_staff()})


def _article_form_page(request: HttpRequest, form: Any, article: Article | None, status: int = 200) -> HttpResponse:
    return render(request, "staff/awareness/article_form.html", {
        "form": form, "article": article, "title": _("Ubah artikel") if article else _("Tulis artikel"),
    }, status=status)


def _article_save(request: HttpRequest, article: Article | None) -> HttpResponse:
    if article is not None and article.status == Article.Status.PUBLISHED:
        messages.error(request, _("Artikel yang sudah terbit tidak dapat diubah. Tarik dulu dari halaman publik."))
        return HttpResponseRedirect(reverse("awareness:article", args=[article.pk]))
    if request.method != "POST":
        initial = None
        if article is not None:
            initial = {name: getattr(article, name) for name in
                       ("title_id", "slug", "summary_id", "body_id", "title_en", "summary_en", "body_en", "order")}
        return _article_form_page(request, f.ArticleForm(initial=initial), article)
    form = f.ArticleForm(request.POST)
    if not form.is_valid():
        return _article_form_page(request, form, article, status=400)
    try:
        if article is None:
            article = services.article_create(actor=request.user, data=form.cleaned_data)
            messages.success(request, _("Draf artikel disimpan."))
        else:
            article = services.article_update(actor=request.user, article=article, data=form.cleaned_data)
            messages.success(request, _("Perubahan disimpan."))
    except services.AwarenessError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _article_form_page(request, form, article, status=400)
    return HttpResponseRedirect(reverse("awareness:article", args=[article.pk]))


@casework_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    return _article_save(request, None)


@casework_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_save(request, get_object_or_404(Article, pk=pk))


def _article_page(request: HttpRequest, article: Article, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "article": article, "images": list(article.images.all()), "may_publish": services.may_publish(request.user, article),
        "image_form": extra.pop("image_form", None) or f.ImageForm(), "return_form": f.ReturnForm(),
        "is_author": request.user.pk == article.author_id,
    }
    context.update(extra)
    return render(request, "staff/awareness/article_detail.html", context, status=status)


@casework_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_page(request, get_object_or_404(Article.objects.select_related("author", "published_by"), pk=pk))


@casework_required
@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    user = request.user
    try:
        if action == "ajukan":
            services.article_submit(actor=user, article=article)
            messages.success(request, _("Artikel diajukan. Rekan lain meninjau dan menerbitkannya."))
        elif action == "terbitkan":
            services.article_publish(actor=user, article=article)
            messages.success(request, _("Artikel terbit di halaman publik."))
        elif action == "kembalikan":
            return_form = f.ReturnForm(request.POST)
            note = return_form.cleaned_data["note"] if return_form.is_valid() else ""
            services.article_return(actor=user, article=article, note=note)
            messages.success(request, _("Artikel dikembalikan ke penulis sebagai draf."))
        elif action == "tarik":
            services.article_unpublish(actor=user, article=article)
            messages.success(request, _("Artikel ditarik dari halaman publik dan menjadi draf."))
        elif action == "gambar":
            form = f.ImageForm(request.POST, request.FILES)
            if not form.is_valid():
                return _article_page(request, article, status=400, image_form=form)
            upload = form.cleaned_data["image"]
            if upload.size and upload.size > files.MAX_IMAGE_BYTES:
                form.add_error("image", _("Berkas terlalu besar. Ukuran maksimal %(mb)d MB.")
                               % {"mb": files.MAX_IMAGE_BYTES // (1024 * 1024)})
                return _article_page(request, article, status=400, image_form=form)
            try:
                services.article_image_add(actor=user, article=article, data=upload.read(),
                                           alt_id=form.cleaned_data["alt_id"], alt_en=form.cleaned_data["alt_en"])
            except services.AwarenessError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                return _article_page(request, article, status=400, image_form=form)
            messages.success(request, _("Gambar ditambahkan; data lokasi dan kamera sudah dihapus."))
        elif action == "hapus-gambar":
            image = get_object_or_404(ArticleImage, pk=int(request.POST.get("image") or 0), article=article)
            services.article_image_remove(actor=user, image=image)
            messages.success(request, _("Gambar dihapus."))
        else:
            raise Http404
    except services.AwarenessError as exc:
        return _article_page(request, Article.objects.get(pk=article.pk), status=400, error=exc.message)
    except ValueError:
        raise Http404 from None
    return HttpResponseRedirect(reverse("awareness:article", args=[article.pk]))


@casework_required
def article_image(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    """A staff preview of an image of any article (drafts included)."""
    image = get_object_or_404(ArticleImage, pk=image_pk, article_id=pk)
    response = files.stored_response(image.storage_name, image.content_type)
    response["Cache-Control"] = "no-store"
    return response



# --- where to go next (planning) ----------------------------------------------------------------------------

@staff_required
def planning(request: HttpRequest) -> HttpResponse:
    """Kelurahan ranked for the next visits, with the reasons: the first ten, or all; narrowed to one
    kecamatan or a kelurahan name. Partners see counts below 5 as "<5"."""
    user: Any = request.user
    if not (user.is_lead_agency_staff or user.role == Role.PARTNER):
        return forbidden(request)
    form = f.PlanningFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    options = form.planning_kwargs()
    window = options.pop("window_days")
    plan = plan_narrowed(planning_for(user, window_days=window), **options)
    if valid:
        audit_log(actor=user, action="read", object_type="planning",
                  detail={"window_days": window, "kecamatan": options["kecamatan"], "all": options["show_all"]})
    params = request.GET.copy()
    params.pop("semua", None)
    fewer = params.urlencode()
    params["semua"] = "1"
    return render(request, "staff/awareness/planning.html", {
        "plan": plan, "form": form, "window": window, "top_n": TOP_N, "show_all": options["show_all"],
        "filtered": bool(options["kecamatan"] or options["query"]),
        "all_url": "?" + params.urlencode(), "fewer_url": "?" + fewer if fewer else request.path,
    }, status=200 if valid else 400)
