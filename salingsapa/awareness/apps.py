from django.apps import AppConfig


class AwarenessConfig(AppConfig):
    name = "salingsapa.awareness"
    label = "awareness"
    verbose_name = "Sosialisasi dan edukasi"
