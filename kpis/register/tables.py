import django_tables2 as tables
from django.utils.html import format_html

from kpis.register.models import Kpi


class KpiRegisterTable(tables.Table):
    reference = tables.Column(verbose_name="Ref")
    name = tables.Column(verbose_name="KPI", linkify=True, attrs={"a": {"class": "govuk-link"}})
    directorate = tables.Column(accessor="directorate__short_name", verbose_name="Directorate")
    service = tables.Column(accessor="service__name", verbose_name="Service", default="—")
    level = tables.Column()
    frequency = tables.Column()
    status = tables.Column()
    lead_officer = tables.Column(
        verbose_name="Lead officer", default="—", order_by=("lead_officer__last_name",)
    )

    class Meta:
        model = Kpi
        fields = ()
        sequence = (
            "reference",
            "name",
            "directorate",
            "service",
            "level",
            "frequency",
            "status",
            "lead_officer",
        )
        order_by = "reference"
        empty_text = "No KPIs match these filters."

    def render_status(self, record: Kpi) -> str:
        colour = {
            Kpi.Status.LIVE: "govuk-tag--green",
            Kpi.Status.SUSPENDED: "govuk-tag--yellow",
            Kpi.Status.RETIRED: "govuk-tag--grey",
            Kpi.Status.IN_DEVELOPMENT: "govuk-tag--purple",
            Kpi.Status.BASELINE: "govuk-tag--light-blue",
            Kpi.Status.CONTEXTUAL: "govuk-tag--blue",
        }.get(record.status, "")
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>', colour, record.get_status_display()
        )
