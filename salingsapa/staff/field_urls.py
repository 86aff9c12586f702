from django.urls import URLPattern, URLResolver, path

from salingsapa.staff import field_views as views

app_name = "field"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("kunjungan/<int:pk>/", views.visit_record, name="visit"),
    path("kunjungan/<int:pk>/rekap/", views.visit_sessions, name="visit_sessions"),
    path("kunci/", views.device_key, name="key"),
    path("sinkron/", views.sync, name="sync"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("statistik/", views.field_stats, name="stats"),
]
