from django.apps import AppConfig


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Performance management"
    default_auto_field = "django.db.models.BigAutoField"
