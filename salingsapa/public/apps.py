from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "salingsapa.public"
    label = "public"
    verbose_name = "Situs publik"
