from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "salingsapa.cases"
    label = "cases"
    verbose_name = "Kasus"

    def ready(self) -> None:
        # Django's place for start-up wiring: models are loaded only now (see core/events.py).
        from salingsapa.cases.services import account_security_alert, deadline_first_contact_start
        from salingsapa.core.events import Event, subscribe

        subscribe(Event.REPORT_RECEIVED, deadline_first_contact_start)  # every new report starts its clock
        subscribe(Event.ACCOUNT_SECURITY, account_security_alert)  # supervisors hear of account changes
