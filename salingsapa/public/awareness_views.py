"""Public education pages (/edukasi/): published articles only, in the public frame with the quick exit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from salingsapa.awareness import files, selectors
from salingsapa.awareness.models import ArticleImage
from salingsapa.awareness.sanitize import clean_html
from salingsapa.public.views import no_store, page


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    lang = get_language() or "id"
    articles = [(a, a.in_language(lang)) for a in selectors.articles_published()]
    return page(request, "public/awareness/list.html", {"articles": articles})


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_published(slug)
    if article is None:
        raise Http404
    text = article.in_language(get_language() or "id")
    text["body"] = clean_html(text["body"])  # stored clean; cleaned again on the way out
    images = [(img, img.alt_en if text["lang"] == "en" and img.alt_en else img.alt_id) for img in article.images.all()]
    others = [(a, a.in_language(get_language() or "id")) for a in selectors.articles_published().exclude(pk=article.pk)]
    return page(request, "public/awareness/article.html", {
        "article": article, "text": text, "images": images, "others": others,
    })


@require_GET
def article_image(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    image = ArticleImage.objects.filter(pk=pk, article__slug=slug, article__status="published").first()
    if image is None:
        raise Http404
    return no_store(files.stored_response(image.storage_name, image.content_type))
