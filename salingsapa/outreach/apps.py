from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "salingsapa.outreach"
    label = "outreach"
    verbose_name = "Konseling keliling"
