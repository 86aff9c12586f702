from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "salingsapa.channels"
    label = "channels"
    verbose_name = "Kanal (WhatsApp)"
