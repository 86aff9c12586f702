from django.urls import path

from salingsapa.staff import network_views as views

app_name = "network"

urlpatterns = [
    path("kasus/<int:case_pk>/rujukan/", views.case_referrals, name="case_referrals"),
    path("kasus/<int:case_pk>/rujukan/<slug:action>/", views.case_referrals_action, name="case_referrals_action"),
    path("rujukan/", views.referral_list, name="referrals"),
    path("rujukan/<int:pk>/", views.referral_detail, name="referral"),
    path("rujukan/<int:pk>/surat.pdf", views.referral_letter, name="referral_letter"),
    path("rujukan/<int:pk>/aksi/<slug:action>/", views.referral_action, name="referral_action"),
    path("mitra/", views.directory, name="directory"),
    path("tautan-pelaku/", views.perpetrator_alerts, name="perpetrator_alerts"),
]

urlpatterns += [
    path("rapat/", views.conference_list, name="conferences"),
    path("rapat/<int:pk>/", views.conference_detail, name="conference"),
    path("rapat/<int:pk>/notulen.pdf", views.conference_minutes, name="conference_minutes"),
    path("rapat/<int:pk>/aksi/<slug:action>/", views.conference_action, name="conference_action"),
]

urlpatterns += [
    path("bukti/<int:pk>/lihat/", views.evidence_view, name="evidence_view"),
    path("bukti/<int:pk>/unduh/", views.evidence_download, name="evidence_download"),
    path("bukti/<int:pk>/sembunyikan/", views.evidence_hide, name="evidence_hide"),
]
