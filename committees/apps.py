from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = "Committees and the KPI cycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from committees.demo import load_committee_demo
        from kpis.demo import demo_loaded

        def add_committee_story(sender, *, today, **kwargs):
            return load_committee_demo(today=today)

        demo_loaded.connect(add_committee_story, weak=False, dispatch_uid="committees-demo")
