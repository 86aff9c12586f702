from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "salingsapa.network"
    label = "network"
    verbose_name = "Jejaring mitra"

    def ready(self) -> None:
        # Django's place for start-up wiring: models are loaded only now (see core/events.py).
        from salingsapa.core.events import Event, subscribe
        from salingsapa.network.services import perpetrator_links_schedule

        subscribe(Event.PERPETRATOR_CHANGED, perpetrator_links_schedule)
