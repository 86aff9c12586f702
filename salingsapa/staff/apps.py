from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "salingsapa.staff"
    label = "staff"
    verbose_name = "Aplikasi staf"
