from django.urls import path

from salingsapa.staff import outbound_views as views

app_name = "staff_outbound"

urlpatterns = [
    path("", views.outbound_list, name="list"),
    path("preferensi/", views.preferences, name="preferences"),
    path("pengaduan/<int:pk>/jangan-hubungi/", views.report_do_not_contact, name="report_do_not_contact"),
]
