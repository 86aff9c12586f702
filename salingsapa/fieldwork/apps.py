from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "salingsapa.fieldwork"
    label = "fieldwork"
    verbose_name = "Sesi lapangan"
