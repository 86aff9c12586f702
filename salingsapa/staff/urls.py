from django.urls import path

from salingsapa.staff import auth, views

app_name = "staff"

urlpatterns = [
    path("masuk/", auth.login_view, name="login"),
    path("masuk/verifikasi/", auth.verify_view, name="login_verify"),
    path("masuk/aktifkan-2fa/", auth.enrol_view, name="login_enrol"),
    path("keluar/", auth.logout_view, name="logout"),
    path("akun/kode-pemulihan/", auth.recovery_codes_view, name="recovery_codes"),
    path("akun/atur-ulang-2fa/", auth.second_factor_reset_view, name="second_factor_reset"),
    path("", views.dashboard, name="dashboard"),
    path("peringatan/", views.alerts, name="alerts"),
    path("pengaduan/", views.queue, name="queue"),
    path("pengaduan/baru/", views.intake_new, name="intake_new"),
    path("pengaduan/<int:pk>/", views.report_detail, name="report"),
    path("pengaduan/<int:pk>/aksi/<slug:action>/", views.report_action, name="report_action"),
    path("kasus/", views.case_list, name="cases"),
    path("kasus/saya/", views.my_cases, name="my_cases"),
    path("kasus/<int:pk>/", views.case_detail, name="case"),
    path("kasus/<int:pk>/aksi/<slug:action>/", views.case_action, name="case_action"),
    path("kasus/<int:pk>/asesmen-risiko/", views.risk_assessment, name="risk_assessment"),
    path("kasus/<int:pk>/rencana-intervensi/", views.service_plan, name="service_plan"),
    path("kasus/<int:pk>/dokumen/<int:document_pk>/", views.case_document, name="case_document"),
    path("kasus/<int:pk>/kejadian/<int:incident_pk>/", views.incident_edit, name="incident_edit"),
    path("kasus/<int:pk>/orang/baru/", views.person_edit, name="person_add"),
    path("kasus/<int:pk>/orang/<int:case_person_pk>/", views.person_edit, name="person_edit"),
    path("supervisor/", views.supervisor, name="supervisor"),
]
