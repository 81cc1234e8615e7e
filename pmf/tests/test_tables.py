"""The GOV.UK table every record list inherits: classes from the columns, captions, sorting and
paging from the query string."""

import django_tables2 as tables
from django.test import RequestFactory
from django_tables2 import RequestConfig

from pmf.tables import NUMERIC, GovukTable
from pmf.tests.table_helpers import aria_sort, row_headers


class FruitTable(GovukTable):
    name = tables.Column()
    count = tables.Column(attrs=NUMERIC, order_by=("count", "name"))

    class Meta(GovukTable.Meta):
        per_page = 2
        empty_text = "No fruit."

    @property
    def caption(self) -> str:
        return self.counted("fruit", "fruits", of=" in the bowl")


ROWS = [{"name": "apple", "count": 3}, {"name": "pear", "count": 1}, {"name": "fig", "count": 2}]


def _render(query: str = "", rows=ROWS) -> str:
    table = FruitTable([dict(row) for row in rows])
    request = RequestFactory().get(f"/bowl/?{query}")
    RequestConfig(request).configure(table)
    return table.as_html(request)


def test_a_numeric_column_carries_its_classes_to_its_header_and_cells():
    html = _render()
    assert 'class="govuk-table__header govuk-table__header--numeric" aria-sort="none"' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in html
    assert "orderable" not in html and '"asc"' not in html


def test_sorting_by_a_column_orders_the_rows_and_says_so():
    html = _render("sort=-count")
    assert row_headers(html) == ["apple", "fig"]
    assert 'govuk-table__header--numeric" aria-sort="descending"' in html
    assert aria_sort(html, "Count") == "descending" and aria_sort(html, "Name") == "none"
    assert row_headers(_render("sort=name")) == ["apple", "fig"]
    assert row_headers(_render("sort=-name")) == ["pear", "fig"]


def test_rows_sort_by_each_key_of_the_column_and_rows_without_a_value_come_first():
    rows = [*ROWS, {"name": "date", "count": 2}, {"name": "kiwi", "count": None}]
    assert row_headers(_render("sort=count", rows)) == ["kiwi", "pear"]
    assert row_headers(_render("sort=count&page=2", rows)) == ["date", "fig"]
    assert row_headers(_render("sort=-count", rows)) == ["apple", "fig"]
    assert row_headers(_render("sort=-count&page=3", rows)) == ["kiwi"]


def test_pages_keep_the_sort_and_the_caption_counts_every_row():
    html = _render("sort=name&colour=green&page=2")
    assert row_headers(html) == ["pear"]
    assert '<caption class="govuk-table__caption govuk-table__caption--m">' in html
    assert "3 fruits in the bowl, showing 3 to 3" in html
    assert "?sort=name&amp;colour=green&amp;page=1" in html


def test_an_empty_table_says_so():
    html = _render(rows=[])
    assert "No fruit." in html and "0 fruits in the bowl<" in html


def test_a_caption_can_be_given_when_the_table_is_made():
    table = GovukTable([], caption="Audits")
    assert table.caption == "Audits"
