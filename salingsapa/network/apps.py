from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "salingsapa.network"
    label = "network"
    verbose_name = "Jejaring mitra"

    def ready(self) -> None:
        from salingsapa.network import signals  # noqa: F401  (connects the receivers)
