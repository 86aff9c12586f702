from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic demo data (``seed-demo``, ``demo-logins``). The top layer: nothing imports it."""

    name = "salingsapa.demo"
    label = "demo"
    verbose_name = _("Data demo")
