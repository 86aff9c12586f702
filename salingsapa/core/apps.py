from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "salingsapa.core"
    label = "core"
    verbose_name = "Inti"
