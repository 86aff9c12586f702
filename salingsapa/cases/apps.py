from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "salingsapa.cases"
    label = "cases"
    verbose_name = "Kasus"

    def ready(self) -> None:
        from salingsapa.cases import signals  # noqa: F401  (connects the report → first-contact clock)
