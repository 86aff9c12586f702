from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "salingsapa.api"
    label = "api"
    verbose_name = "API v1"
