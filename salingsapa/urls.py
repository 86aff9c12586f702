from django.contrib import admin
from django.urls import include, path

from salingsapa.core import views as core_views

admin.site.site_header = "Saling Sapa — Administrasi"
admin.site.site_title = "Saling Sapa"
admin.site.index_title = "Administrasi"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("salingsapa.staff.stats_urls")),  # /statistik/, /staf/statistik/, /api/v1/stats/public
    path("staf/jejaring/", include("salingsapa.staff.network_urls")),
    path("staf/keliling/", include("salingsapa.staff.outreach_urls")),  # visits, rota, bookings, planning (issue 13)
    path("staf/lapangan/", include("salingsapa.staff.field_urls")),  # offline field sessions (issue 13)
    path("staf/edukasi/", include("salingsapa.staff.awareness_urls")),  # awareness events, education content (issue 13)
    path("webhooks/", include("salingsapa.channels.urls")),  # WhatsApp Cloud API webhook (issue 12)
    path("konseling-keliling/", include("salingsapa.public.outreach_urls")),  # public schedule and booking
    path("edukasi/", include("salingsapa.public.awareness_urls")),  # public education pages
    path("staf/pesan/", include("salingsapa.staff.outbound_urls")),  # outbound messages, do-not-contact (issue 12)
    path("staf/", include("salingsapa.staff.urls")),
    path("api/v1/", include("salingsapa.api.urls")),
    path("", include("salingsapa.public.urls")),
]

# Error pages in the public style (staff style under /staf/), Bahasa Indonesia first, with the quick exit.
handler400 = "salingsapa.public.views.error_400"
handler403 = "salingsapa.public.views.error_403"
handler404 = "salingsapa.public.views.error_404"
handler500 = "salingsapa.public.views.error_500"
