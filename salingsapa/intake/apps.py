from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "salingsapa.intake"
    label = "intake"
    verbose_name = "Pengaduan"
