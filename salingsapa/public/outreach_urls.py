"""Public mobile-counselling pages, mounted at /konseling-keliling/. No URL carries personal data:
the booking is found by reference + codename typed into a form, then kept in the session."""

from django.urls import URLPattern, URLResolver, path

from salingsapa.public import outreach_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.schedule, name="outreach_schedule"),
    path("<int:visit_id>/poster/", views.poster, name="outreach_poster"),
    path("<int:visit_id>/pesan/", views.book, name="outreach_book"),
    path("minta/", views.ask, name="outreach_ask"),
    path("janji/", views.manage, name="outreach_manage"),
    path("janji/selesai/", views.done, name="outreach_done"),
    path("janji/batal/", views.manage_cancel, name="outreach_manage_cancel"),
    path("janji/pindah/", views.manage_move, name="outreach_manage_move"),
    path("janji/tutup/", views.manage_logout, name="outreach_manage_logout"),
]
