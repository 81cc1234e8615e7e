"""A scorecard table's rows as HTML, built in Python.

The Django template engine's cost for each variable it renders, and format_html's for each
argument, add up over a scorecard row's twenty-odd pieces and 2,000 rows to more than the rest of
the page (figures in docs/performance.md). Here each row is an f-string in which every piece
of data goes through `_e` (the standard library's html.escape, quotes included); the result is
marked safe once. The table's frame, headings and the rest of the page stay in
templates/scorecards/scorecard.html.
"""

import functools
import re
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from pmf.tags import tag_html
from scorecards.selectors import PROVISIONAL_NOTE, Row

_SPECIAL = re.compile(r"[&<>\"']").search


@functools.lru_cache(maxsize=8192)
def _escape(text: str) -> str:
    return escape(text, quote=True) if _SPECIAL(text) else text


def _e(text: object) -> str:
    """HTML-escape (quotes too). Labels repeat from row to row, so results are cached."""
    return _escape(str(text))


def _lines(text: str) -> str:
    """Escaped text with its line breaks as <br> (as the linebreaksbr filter does)."""
    return _e(text.replace("\r\n", "\n")).replace("\n", "<br>")


def _row(row: Row, prefix: str) -> str:
    small = '<span class="govuk-body-s app-nowrap">'
    if row.current_display:
        current = f"{_e(row.current_display)} {small}({_e(row.period_label)})</span>"
        if row.provisional:
            current += f'<br><span class="govuk-body-s">{_e(PROVISIONAL_NOTE)}</span>'
    else:
        current = f"Not reported {small}({_e(row.period_label)})</span>"
    previous = f"{_e(row.previous_display or '–')} {small}({_e(row.previous_label)})</span>"
    flags = "".join(f'<br><strong class="govuk-body-s">{_e(flag)}</strong>' for flag in row.flags)
    forecast = _e(row.forecast_or_why_not)
    if row.year_end_text:
        forecast += f'<br><span class="govuk-body-s">{_e(row.year_end_text)}</span>'
    td = '<td class="govuk-table__cell">'
    # The columns people read first come first (templates/scorecards/scorecard.html heads them).
    return (
        '<tr class="govuk-table__row">'
        f'<th scope="row" class="govuk-table__header">'
        f'<a class="govuk-link" href="{_e(prefix)}{_e(row.reference)}/">'
        f"{_e(row.reference)} {_e(row.name)}</a>"
        f'<br><span class="govuk-body-s">{_e(row.level_label)} · {_e(row.directorate)}</span></th>'
        f"{td}{current}</td>"
        f"{td}{_e(row.target_display)}</td>"
        f"{td}{tag_html('rating', row.rating)}"
        f"{flags}</td>"
        f'<td class="govuk-table__cell"><span class="app-nowrap"><span aria-hidden="true">'
        f"{row.change.arrow}</span> {_e(row.change.label)}</span>"
        f'<br><span class="govuk-body-s">{_e(row.comparison)}</span></td>'
        f'<td class="govuk-table__cell app-nowrap"><span aria-hidden="true">{row.trend.arrow}'
        f"</span> {_e(row.trend.label)}</td>"
        f"{td}{_commentary(row)}</td>"
        f"{td}{previous}</td>"
        f"{td}{_e(row.direction_label)}</td>"
        f'<td class="govuk-table__cell app-scorecard__forecast">{forecast}</td>'
        f'<td class="govuk-table__cell app-nowrap">{_e(row.last_updated or "Never")}</td>'
        f"{td}{_e(row.frequency_label)}</td>"
        f"{td}{_e(row.metric_category_label)}</td>"
        "</tr>"
    )


def _commentary(row: Row) -> str:
    """The commentary (and action plan) folded into a GOV.UK details, so a row stays short."""
    if not (row.commentary or row.action_plan):
        return "None"
    text = _lines(row.commentary)
    if row.action_plan:
        text += f"{'<br>' if text else ''}<strong>Action plan:</strong> {_lines(row.action_plan)}"
    what = "Commentary and action plan" if row.action_plan else "Commentary"
    return (
        '<details class="govuk-details app-scorecard__details">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
        f'{what}<span class="govuk-visually-hidden"> for KPI {_e(row.reference)}</span>'
        f'</span></summary><div class="govuk-details__text">{text}</div></details>'
    )


def row_html(row: Row) -> SafeString:
    """One <tr> of the scorecard table."""
    return rows_html([row])


def rows_html(rows: list[Row]) -> SafeString:
    """The <tr>s of a scorecard table; every piece of data in them is escaped by `_e`."""
    prefix = reverse("scorecards:kpi", args=["-"])[:-2]
    return mark_safe("".join(_row(row, prefix) for row in rows))  # noqa: S308 – escaped above
