from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPI register"
    default_auto_field = "django.db.models.BigAutoField"
