from django.apps import AppConfig
from simple_history.signals import pre_create_historical_record

from pmf import clock, ids


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Performance management"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        ids.install()
        pre_create_historical_record.connect(clock.date_history_record, dispatch_uid="pmf-clock")
