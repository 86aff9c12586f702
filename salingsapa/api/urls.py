from django.urls import path

from salingsapa.api.outreach import router as outreach_router
from salingsapa.api.v1 import api
from salingsapa.stats.api import router as stats_router

# Statistics: /api/v1/stats/public (no auth) and /api/v1/stats/summary (partner-system bearer token).
api.add_router("/stats", stats_router)
api.add_router("/outreach", outreach_router)  # mobile counselling: visits, bookings (issue 13)
# Further routers are mounted here, each from its own module under salingsapa/api/ (e.g. api/outreach.py).

urlpatterns = [path("", api.urls)]
