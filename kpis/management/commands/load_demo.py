from django.core.management.base import BaseCommand

from kpis.demo import COUNCIL_NAME, load_demo


class Command(BaseCommand):
    help = (
        f"Load the fictional demo council ({COUNCIL_NAME}): directorates, services, ambitions, "
        "committees, demo users and the KPI register. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        summary = load_demo()
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Loaded the {COUNCIL_NAME} demo."))
