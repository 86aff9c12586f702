from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "salingsapa.stats"
    label = "stats"
    verbose_name = "Statistik"

    def ready(self) -> None:
        # Django's place for start-up wiring: models are loaded only now (see core/events.py).
        from salingsapa.core.events import Event, subscribe
        from salingsapa.stats.selectors import bump_generation

        subscribe(Event.COUNTED_DATA_CHANGED, bump_generation)
