"""Staff awareness pages, mounted at /staf/edukasi/ (``salingsapa/urls.py``)."""

from django.urls import URLPattern, URLResolver, path

from salingsapa.staff import awareness_views as views

app_name = "awareness"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="events"),
    path("kegiatan/baru/", views.event_new, name="event_new"),
    path("kegiatan/<int:pk>/", views.event_detail, name="event"),
    path("kegiatan/<int:pk>/ubah/", views.event_edit, name="event_edit"),
    path("kegiatan/<int:pk>/cetak/", views.event_print, name="event_print"),
    path("kegiatan/<int:pk>/materi/<int:material_pk>/", views.material_download, name="material"),
    path("kegiatan/<int:pk>/materi/<int:material_pk>/hapus/", views.material_delete, name="material_delete"),
    path("artikel/", views.article_list, name="articles"),
    path("artikel/baru/", views.article_new, name="article_new"),
    path("artikel/<int:pk>/", views.article_detail, name="article"),
    path("artikel/<int:pk>/ubah/", views.article_edit, name="article_edit"),
    path("artikel/<int:pk>/aksi/<slug:action>/", views.article_action, name="article_action"),
    path("artikel/<int:pk>/gambar/<int:image_pk>/", views.article_image, name="article_image"),
    path("rencana-kunjungan/", views.planning, name="planning"),  # where to go next (issue 13 item 4)
]
