"""The public URL tree. No URL carries personal data: steps are named, the draft is in the session."""

from django.urls import path

from salingsapa.public import statistics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("lapor/", views.report_start, name="public_report_start"),
    path("lapor/darurat/", views.report_emergency, name="public_report_emergency"),
    path("lapor/ringkasan/", views.report_summary, name="public_report_summary"),
    path("lapor/selesai/", views.report_done, name="public_report_done"),
    path("lapor/cek/", views.followup, name="public_followup"),
    path("lapor/cek/pesan/", views.followup_message, name="public_followup_message"),
    path("lapor/cek/berkas/", views.followup_files, name="public_followup_files"),
    path("lapor/cek/tutup/", views.followup_logout, name="public_followup_logout"),
    path("lapor/bukti/", views.report_evidence_step, name="public_report_evidence"),
    path("lapor/<slug:step>/", views.report_step, name="public_report_step"),
    path("keluar/", views.leave, name="public_leave"),
    path("layanan/", views.services_directory, name="public_directory"),
    path("statistik/", statistics.public_stats, name="public_statistics"),
]
