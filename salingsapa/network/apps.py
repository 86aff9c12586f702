from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "salingsapa.network"
    label = "network"
    verbose_name = "Jejaring mitra"
