from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "salingsapa.stats"
    label = "stats"
    verbose_name = "Statistik"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from salingsapa.cases.models import Case, CasePerson, Incident, Person
        from salingsapa.intake.models import Report
        from salingsapa.stats.selectors import bump_generation

        for model in (Case, CasePerson, Incident, Person, Report):
            post_save.connect(bump_generation, sender=model, dispatch_uid=f"stats-gen-save-{model.__name__}")
            post_delete.connect(bump_generation, sender=model, dispatch_uid=f"stats-gen-del-{model.__name__}")
        for field in ("violence_forms", "tpks_forms", "factors"):
            m2m_changed.connect(bump_generation, sender=getattr(Incident, field).through,
                                dispatch_uid=f"stats-gen-m2m-{field}")
