"""The reporting cycle's record lists: the completion dashboard's KPIs and a year's targets.

Both take rows the selectors made in a fixed number of queries and sort them in Python, so
sorting by any column costs no query.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kpis.reporting.selectors import DashboardRow
from pmf.tables import LINK, NOWRAP, NUMERIC, WHEN, GovukTable, LocalDateColumn, hidden_header
from pmf.tags import tag_html


class CompletionTable(GovukTable):
    """One row per KPI reported in a period, with its value's status; G&P chase from it (the
    chase buttons submit the form the page wraps around the table)."""

    reference = tables.Column("KPI", linkify=("kpis:detail", [tables.A("reference")]), attrs=LINK)
    name = tables.Column("Name")
    directorate = tables.Column("Directorate", order_by=("directorate", "reference"))
    lead_officer = tables.Column("Lead officer", default="None")
    status = tables.Column("Status", order_by=("status_order", "reference"))
    updated_at = LocalDateColumn("Last updated", style=WHEN, default="Never", attrs=NOWRAP)
    last_reminded = LocalDateColumn("Last reminded", style=WHEN, default="Never", attrs=NOWRAP)
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

    def render_updated_at(self, value, record: DashboardRow) -> str:
        """A historic value says when and by whom it was loaded, not when it was last saved."""
        return record.historic_load or self.columns["updated_at"].column.render(value)

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


def _kpi_page(record: dict) -> str:
    return record["kpi"].get_absolute_url()


class TargetTable(GovukTable):
    """Each KPI's annual target and intervention level for a financial year (rows from
    `selectors.targets_for_year`), with a link to set or change them."""

    reference = tables.Column("KPI", accessor="kpi__reference", linkify=_kpi_page, attrs=LINK)
    name = tables.Column("Name", accessor="kpi__name")
    directorate = tables.Column("Directorate", accessor="kpi__directorate__name")
    direction = tables.Column("Direction", accessor="kpi__get_direction_display")
    target = tables.Column(
        "Annual target", accessor="target__value", attrs=NUMERIC, empty_values=()
    )
    intervention_level = tables.Column(
        "Intervention level", accessor="target__intervention_level", attrs=NUMERIC, empty_values=()
    )
    period_targets = tables.Column("Period targets", attrs=NUMERIC)
    action = tables.Column(hidden_header("Actions"), accessor="kpi", orderable=False)

    caption_class = "govuk-table__caption--s"

    class Meta(GovukTable.Meta):
        order_by = "reference"
        empty_text = "No KPIs."

    def __init__(self, rows: list[dict], *, year: int, year_label: str) -> None:
        super().__init__(rows)
        self.year, self.year_label = year, year_label

    @property
    def caption(self) -> str:
        return self.counted("KPI", of=f" in {self.year_label}")

    def render_target(self, record: dict, value) -> str:
        if record["is_contextual"]:
            return "Contextual: no target"
        return "Not set" if value is None else record["kpi"].value_text(value)

    def render_intervention_level(self, record: dict, value) -> str:
        if record["is_contextual"]:
            return ""
        return "None" if value is None else record["kpi"].value_text(value)

    def render_period_targets(self, record: dict, value: int) -> str:
        return "" if record["is_contextual"] else str(value)

    def render_action(self, record: dict) -> str:
        if record["is_contextual"]:
            return ""
        kpi = record["kpi"]
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> the target '
            "for KPI {}</span></a>",
            reverse("reporting:target_edit", args=[kpi.reference, self.year]),
            "Change" if record["target"] else "Set",
            kpi.reference,
        )
