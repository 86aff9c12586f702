"""Public education pages, mounted at /edukasi/ (``salingsapa/urls.py``)."""

from django.urls import URLPattern, URLResolver, path

from salingsapa.public import awareness_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.article_list, name="public_articles"),
    path("<slug:slug>/", views.article_detail, name="public_article"),
    path("<slug:slug>/gambar/<int:pk>/", views.article_image, name="public_article_image"),
]
