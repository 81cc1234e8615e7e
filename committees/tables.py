"""The committees' record lists: proposals to change the KPIs, a committee's meetings and the
quarterly audit samples.

Each takes a QuerySet from `committees.selectors`, so the database sorts and pages it; a page
costs the same queries whatever the sort and the number of rows.
"""

import django_tables2 as tables
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.safestring import SafeString

from committees.models import Audit, Meeting, Proposal
from pmf.tables import (
    LINK,
    NUMERIC,
    GovukTable,
    LocalDateColumn,
    local_date,
    order_by_expression,
)
from pmf.tags import tag_html

_STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(n)) for n, stage in enumerate(Proposal.Stage.values)),
    output_field=IntegerField(),
)


class ProposalTable(GovukTable):
    reference = tables.Column("Proposal", linkify=True, attrs=LINK, order_by=("pk",))
    kpi_number = tables.Column("KPI number", order_by=("kpi__reference", "pk"))
    kpi_name = tables.Column("KPI name")
    kind = tables.Column("Proposal")
    committees = tables.Column("Committees", orderable=False, empty_values=())
    directorate = tables.Column("Directorate", accessor="directorate__short_name")
    stage = tables.Column("Stage")

    caption_class = "govuk-table__caption--s"

    class Meta(GovukTable.Meta):
        order_by = "-reference"
        empty_text = "No proposals match."

    @property
    def caption(self) -> str:
        return self.counted("proposal")

    def render_committees(self, record: Proposal) -> str:
        return ", ".join(committee.short_name for committee in record.committees.all())

    def render_stage(self, record: Proposal) -> SafeString:
        return tag_html("proposal", record.stage, record.get_stage_display())

    def order_kpi_name(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        # A proposed KPI has only its proposed name; one in the register, the register's name.
        return order_by_expression(queryset, Coalesce("kpi__name", "name"), is_descending)

    def order_stage(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        return order_by_expression(queryset, _STAGE_ORDER, is_descending)


class MeetingTable(GovukTable):
    date = LocalDateColumn("Date", linkify=True, attrs=LINK)
    period = tables.Column(
        "Period considered",
        accessor="period__label",
        order_by=("period__starts_on",),
        default="None",
    )
    papers_published_on = LocalDateColumn("Papers published", default="")
    status = tables.Column("Status")

    caption_class = "govuk-visually-hidden"

    class Meta(GovukTable.Meta):
        order_by = "-date"
        empty_text = "No meetings recorded."

    def render_status(self, record: Meeting) -> SafeString:
        return tag_html("meeting", record.status, record.get_status_display())


class AuditTable(GovukTable):
    period = tables.Column(
        "Quarter",
        linkify=True,
        attrs=LINK,
        order_by=("period__starts_on", "committee__name"),
    )
    committee = tables.Column("Committee", accessor="committee__name")
    sampled = tables.Column("KPIs sampled", attrs=NUMERIC)
    done = tables.Column("Checked", attrs=NUMERIC)
    drawn_by = tables.Column(
        "Drawn by", order_by=("drawn_by__first_name", "drawn_by__last_name", "drawn_at")
    )

    caption = "Audits"

    class Meta(GovukTable.Meta):
        order_by = "-period"
        empty_text = "No audits yet."

    def render_period(self, record: Audit) -> SafeString:
        return format_html(
            '{}<span class="govuk-visually-hidden"> {}</span>',
            record.period.label,
            record.committee.name,
        )

    def render_drawn_by(self, record: Audit) -> str:
        return f"{record.drawn_by} on {local_date(record.drawn_at)}"
