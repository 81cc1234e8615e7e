"""The reporting cycle's record lists: the completion dashboard's KPIs.

It takes rows the selector made in a fixed number of queries and sorts them in Python, so
sorting by any column costs no query.
"""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kpis.reporting.selectors import DashboardRow
from pmf.tables import LINK, NOWRAP, GovukTable, hidden_header
from pmf.tags import tag_html

WHEN = "j M Y H:i"


class CompletionTable(GovukTable):
    """One row per KPI reported in a period, with its value's status; G&P chase from it (the
    chase buttons submit the form the page wraps around the table)."""

    reference = tables.Column("KPI", linkify=("kpis:detail", [tables.A("reference")]), attrs=LINK)
    name = tables.Column("Name")
    directorate = tables.Column("Directorate", order_by=("directorate", "reference"))
    lead_officer = tables.Column("Lead officer", default="None")
    status = tables.Column("Status", order_by=("status_order", "reference"))
    updated_at = tables.DateTimeColumn(
        WHEN, verbose_name="Last updated", default="Never", attrs=NOWRAP
    )
    last_reminded = tables.DateTimeColumn(
        WHEN, verbose_name="Last reminded", default="Never", attrs=NOWRAP
    )
    chase = tables.Column(hidden_header("Chase"), accessor="kpi_id", orderable=False)

    caption_class = "govuk-table__caption--s"
    pagination_label = "Pages of KPIs"

    class Meta(GovukTable.Meta):
        per_page = 100
        order_by = "directorate"
        empty_text = "No KPIs match these filters."

    def __init__(self, rows: list[DashboardRow], *, can_chase: bool) -> None:
        super().__init__(rows, exclude=() if can_chase else ("chase",))

    @property
    def caption(self) -> str:
        return self.counted("KPI")

    def render_status(self, record: DashboardRow) -> SafeString:
        tag = tag_html("value", record.status, record.status_label)
        if record.submission_overdue:
            return format_html("{} {}", tag, tag_html("overdue", "submission", "Overdue"))
        if record.signoff_overdue:
            return format_html("{} {}", tag, tag_html("overdue", "signoff", "Sign-off overdue"))
        return tag

    def render_chase(self, record: DashboardRow) -> str:
        if not record.can_chase:
            return ""
        return format_html(
            '<button type="submit" name="kpi" value="{}" class="govuk-button '
            'govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" '
            'data-prevent-double-click="true">Chase<span class="govuk-visually-hidden"> the owners '
            "of KPI {}</span></button>",
            record.kpi_id,
            record.reference,
        )
