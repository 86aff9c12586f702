"""Staff mobile-counselling pages, mounted at /staf/keliling/."""

from django.urls import URLPattern, URLResolver, path

from salingsapa.staff import outreach_views as views

app_name = "outreach"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("baru/", views.visit_new, name="visit_new"),
    path("<int:pk>/", views.visit_detail, name="visit"),
    path("<int:pk>/ubah/", views.visit_edit, name="visit_edit"),
    path("<int:pk>/aksi/<slug:action>/", views.visit_action, name="visit_action"),
    path("janji/<int:pk>/", views.booking_detail, name="booking"),
    path("janji/<int:pk>/aksi/<slug:action>/", views.booking_action, name="booking_action"),
]
