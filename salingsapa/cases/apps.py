from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "salingsapa.cases"
    label = "cases"
    verbose_name = "Kasus"
