"""Staff statistics URLs (the pages live in ``staff/stats_views.py``), mounted at the site root by ``salingsapa/urls.py``.

* ``/statistik/`` — the public page lives in ``public/statistics.py`` (the public surface);
* ``/staf/statistik/…`` — lead-agency staff: dashboard, reports, exports, public snapshots;
* ``/api/v1/stats/…`` — the django-ninja router in ``stats/api.py``, mounted in ``api/urls.py``.
"""

from django.urls import path

from salingsapa.staff import stats_views as views

app_name = "stats"

urlpatterns = [
    path("staf/statistik/", views.dashboard, name="dashboard"),
    path("staf/statistik/publikasi/", views.snapshots, name="snapshots"),
    path("staf/statistik/publikasi/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("staf/statistik/publikasi/<int:pk>/setujui/", views.snapshot_approve, name="snapshot_approve"),
    path("staf/statistik/laporan.pdf", views.report_pdf, name="report_pdf"),
    path("staf/statistik/ekspor/", views.exports, name="exports"),
    path("staf/statistik/ekspor/unduh/<str:token>/", views.export_download, name="export_download"),
    path("staf/statistik/ekspor/<int:pk>/", views.export_job, name="export_job"),
]
