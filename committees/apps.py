from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees and the KPI cycle"
    default_auto_field = "django.db.models.BigAutoField"
