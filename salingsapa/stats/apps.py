from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "salingsapa.stats"
    label = "stats"
    verbose_name = "Statistik"

    def ready(self) -> None:
        # Django's place for start-up wiring: models are loaded only now (see core/events.py).
        from salingsapa.core.events import Event, subscribe
        from salingsapa.stats.rollup import mark_changed, rebuild_after_bulk_load
        from salingsapa.stats.selectors import bump_generation

        subscribe(Event.COUNTED_DATA_CHANGED, bump_generation)
        subscribe(Event.COUNTED_DATA_CHANGED, mark_changed)
        subscribe(Event.BULK_LOADED, rebuild_after_bulk_load)
