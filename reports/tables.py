"""The committee packs' record lists: a meeting's requests to generate its pack and its
published versions, and the meetings of a period whose packs can be generated together.

The meeting's two tables share a page, so each has its own prefix for its sort and page. Their
cells with links and forms are templates (`templates/reports/tables/`) that read the page's
`meeting`, `can_manage`, `latest_job` and `stalled_error`.
"""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pmf.models import User
from pmf.tables import LINK, WHEN, GovukTable, LocalDateColumn, local_date
from pmf.tags import tag_html
from reports.models import PackJob, PackVersion


def _person(user: User) -> str:
    return user.get_full_name() or user.username


class PackJobTable(GovukTable):
    requested_at = LocalDateColumn("Requested", style=WHEN)
    requested_by = tables.Column(
        "By", order_by=("requested_by__first_name", "requested_by__last_name", "-requested_at")
    )
    status = tables.Column("Status")
    result = tables.TemplateColumn(
        template_name="reports/tables/job_result.html", verbose_name="Result", orderable=False
    )

    caption = "Recent requests to generate this pack"
    caption_class = "govuk-table__caption--s"
    pagination_label = "Pages of requests to generate this pack"

    class Meta(GovukTable.Meta):
        prefix = "jobs-"
        per_page = 10
        order_by = "-requested_at"
        empty_text = "The pack has not been generated yet."

    def render_requested_by(self, value: User) -> str:
        return _person(value)

    def render_status(self, record: PackJob) -> SafeString:
        if record.is_stalled:
            return tag_html("job", PackJob.Status.FAILED, "Stopped")
        return tag_html("job", record.status, record.get_status_display())


class PackVersionTable(GovukTable):
    number = tables.Column("Version")
    published_at = tables.Column("Published")
    status = tables.Column("Status", accessor="withdrawn_at", empty_values=())
    files = tables.TemplateColumn(
        template_name="reports/tables/version_files.html", verbose_name="Files", orderable=False
    )

    caption = "Every published version stays available"
    caption_class = "govuk-table__caption--s"
    pagination_label = "Pages of published versions"

    class Meta(GovukTable.Meta):
        prefix = "versions-"
        order_by = "-number"
        empty_text = "No version has been published yet."

    def render_number(self, record: PackVersion) -> str:
        return (
            f"{record.number} (exception report)" if record.exception_mode else str(record.number)
        )

    def render_published_at(self, record: PackVersion) -> str:
        return f"{local_date(record.published_at, WHEN)} by {_person(record.published_by)}"

    def render_status(self, record: PackVersion) -> SafeString:
        if not record.is_withdrawn:
            published = tag_html("version", "published", "Published")
            if record.was_ready:
                return published
            return format_html("{} before it was ready: {}", published, record.not_ready_reason)
        return format_html(
            "{} {}: {}",
            tag_html("version", "withdrawn", "Withdrawn"),
            local_date(record.withdrawn_at, "j M Y"),
            record.withdrawn_reason,
        )


class PeriodPackTable(GovukTable):
    """The meetings considering a period whose packs the user manages."""

    committee = tables.Column("Committee", accessor="committee__name")
    date = LocalDateColumn(
        "Meeting",
        linkify=("reports:meeting", [tables.A("pk")]),
        attrs=LINK,
        order_by=("date", "committee__name"),
    )

    caption_class = "govuk-table__caption--s"

    class Meta(GovukTable.Meta):
        order_by = "date"
