from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "salingsapa.stats"
    label = "stats"
    verbose_name = "Statistik"
