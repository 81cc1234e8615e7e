import django_tables2 as tables

from kpis.register.models import Kpi
from pmf.tables import LINK, GovukTable
from pmf.tags import tag_html


class KpiRegisterTable(GovukTable):
    reference = tables.Column(verbose_name="Ref")
    name = tables.Column(verbose_name="KPI", linkify=True, attrs=LINK)
    directorate = tables.Column(accessor="directorate__short_name", verbose_name="Directorate")
    service = tables.Column(accessor="service__name", verbose_name="Service", default="—")
    level = tables.Column()
    frequency = tables.Column()
    status = tables.Column()
    lead_officer = tables.Column(
        verbose_name="Lead officer", default="—", order_by=("lead_officer__last_name",)
    )

    class Meta(GovukTable.Meta):
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
        return tag_html("kpi", record.status, record.get_status_display())
