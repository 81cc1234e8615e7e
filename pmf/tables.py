"""The one GOV.UK-styled table (django-tables2) that every record list inherits.

It renders through `templates/pmf/tables/govuk_table.html`: a caption, sortable headers marked
with aria-sort, the first column as each row's header and GOV.UK pagination. A view sorts and
pages it from the query string with `RequestConfig(request).configure(table)`; a page with two
tables gives each its own `prefix` so their `sort` and `page` parameters stay apart.

A column carries its own header and cell classes in `attrs` (`NUMERIC`, or `cell_classes(...)`
for others); the template writes them as they are, and GOV.UK's plain classes otherwise.
"""

import datetime

import django_tables2 as tables
from django.db.models import Expression, F, QuerySet
from django.db.models import OrderBy as SortBy
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django_tables2.data import TableListData, TableQuerysetData
from django_tables2.utils import Accessor, OrderBy, OrderByTuple

HEADER = "govuk-table__header"
CELL = "govuk-table__cell"


def cell_classes(header: str = "", cell: str = "") -> dict[str, dict]:
    """A column's `attrs` adding GOV.UK modifier classes to its header and to its cells."""
    return {
        "th": {"class": f"{HEADER} {header}".strip()},
        "td": {"class": f"{CELL} {cell}".strip()},
    }


NUMERIC = cell_classes("govuk-table__header--numeric", "govuk-table__cell--numeric")
NOWRAP = cell_classes(cell="app-nowrap")
LINK = {"a": {"class": "govuk-link"}}
# How tables write a day ("2 December 2026") and a moment ("2 Dec 2026 10:59").
DAY = "j F Y"
WHEN = "j M Y H:i"


def local_date(moment: datetime.date, style: str = DAY) -> str:
    """A day, or a stored moment in local time, as a table writes it (like the `date` filter)."""
    if isinstance(moment, datetime.datetime):
        moment = localtime(moment)
    return date_format(moment, style)


class LocalDateColumn(tables.Column):
    """A column of days or moments written in `style` (DAY or WHEN). django-tables2's own
    DateColumn and DateTimeColumn compile a template for every cell: a third of a 100-row
    page's time."""

    def __init__(self, *args, style: str = DAY, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style = style

    def render(self, value: datetime.date) -> str:
        return local_date(value, self.style)


class _ListData(TableListData):
    """Rows in a list, sorted with one key per row for each sort column. django-tables2 resolves
    every column's accessors on both rows at each comparison: a fifth of the dashboard's time
    for 2,000 KPIs. Rows without a value come first, as there."""

    def order_by(self, aliases: OrderByTuple) -> None:
        keys = []
        for alias in aliases:
            column = self.table.columns[OrderBy(alias).bare]
            flip = alias[0] != column.order_by_alias[0]
            keys += column.order_by.opposite if flip else column.order_by
        for key in reversed(keys):  # each sort is stable, so the first key decides last
            accessor = Accessor(OrderBy(key).bare)
            self.data.sort(
                key=lambda row, a=accessor: _present_first(a.resolve(row, quiet=True)),
                reverse=OrderBy(key).is_descending,
            )


def _present_first(value: object) -> tuple[bool, object]:
    return (value is not None, value)


class _QuerysetData(TableQuerysetData):
    """Rows from the database, where rows without a value sort as they do in a list: first,
    ascending; last, descending. SQLite does that of itself; PostgreSQL does the opposite."""

    def order_by(self, aliases: OrderByTuple) -> None:
        super().order_by(aliases)
        ordering = self.data.query.order_by
        if ordering and all(isinstance(key, str) for key in ordering):
            self.data = self.data.order_by(*(_empty_first(key) for key in ordering))


def _empty_first(key: str) -> SortBy:
    if key.startswith("-"):
        return F(key[1:]).desc(nulls_last=True)
    return F(key).asc(nulls_first=True)


def hidden_header(text: str) -> SafeString:
    """The header of a column of buttons or links: read out, not shown."""
    return format_html('<span class="govuk-visually-hidden">{}</span>', text)


def order_by_expression(
    queryset: QuerySet, expression: Expression, is_descending: bool
) -> tuple[QuerySet, bool]:
    """A table's `order_<column>` method in one line: sort the rows by a database expression
    (a stage's place in its cycle, a name from one of two fields), then by id."""
    key = expression.desc(nulls_last=True) if is_descending else expression.asc(nulls_first=True)
    return queryset.order_by(key, "pk"), True


class GovukTable(tables.Table):
    """Subclasses keep the shared options with `class Meta(GovukTable.Meta)`.

    `caption` (a class attribute, a property, or given to the constructor) names the table;
    `caption_class` sizes it or hides it visually; `pagination_label` names the page links
    when a page has more than one table.
    """

    caption: str = ""
    caption_class: str = "govuk-table__caption--m"
    pagination_label: str = "Pagination"

    class Meta:
        template_name = "pmf/tables/govuk_table.html"
        empty_text = "Nothing matches."
        per_page = 50

    def __init__(self, data, *args, caption: str | None = None, **kwargs) -> None:
        queryset = TableQuerysetData.validate(data)
        data = _QuerysetData(data) if queryset else _ListData(list(data))
        super().__init__(data, *args, **kwargs)
        if caption is not None:
            self.caption = caption

    def counted(self, singular: str, plural: str = "", *, of: str = "") -> str:
        """Every row the table has, and this page's: "130 KPIs in 2025/26, showing 1 to 50"."""
        total = self.paginator.count if hasattr(self, "paginator") else len(self.rows)
        noun = singular if total == 1 else (plural or f"{singular}s")
        text = f"{total} {noun}{of}"
        if hasattr(self, "page") and self.paginator.num_pages > 1:
            text += f", showing {self.page.start_index()} to {self.page.end_index()}"
        return text
