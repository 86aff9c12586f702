from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "salingsapa.notify"
    label = "notify"
    verbose_name = "Notifikasi"
