"""A scorecard as CSV or XLSX: rated, arrows as words, forecasts marked as forecasts, the period
each change is compared with (the one before, or the same period last year), and each value's
status (approved, or provisional: submitted, not yet approved) in a column of its own.

Figures are written as every page writes them (pmf.formatting: £1,250.50, 72.5%), and the
current value and target again as plain numbers at the end, for sorting and sums. The RAG
summary, with how many ratings are provisional, is the XLSX file's second sheet and a CSV file
of its own. Written through pmf.spreadsheets, which neutralises text a spreadsheet would run as
a formula.
"""

from kpis.reporting.models import Measurement
from pmf.spreadsheets import write_csv, write_xlsx
from scorecards.selectors import Scorecard

HEADERS = [
    "Perspective",
    "KPI reference",
    "KPI",
    "Directorate",
    "Level",
    "Metric category",
    "Reporting frequency",
    "Last updated",
    "Unit",
    "Target",
    "Direction for improvement",
    "Period",
    "Performance (current period)",
    "Value status",
    "Compared with",
    "Performance (comparison period)",
    "Change in performance",
    "RAG rating",
    "Trend analysis",
    "Forecast (not data)",
    "Projected year-end (not data)",
    "Flags",
    "Commentary",
    "Action plan",
    "Current value (number)",
    "Target (number)",
]


def scorecard_table(card: Scorecard) -> tuple[list[str], list[list]]:
    """The export's headers and rows, in the page's order (grouped by perspective)."""
    rows = []
    for row in card.rows:
        rows.append(
            [
                row.perspective_label,
                row.reference,
                row.name,
                row.directorate,
                row.level_label,
                row.metric_category_label,
                row.frequency_label,
                row.last_updated,
                row.unit_label,
                row.target_display,
                row.direction_label,
                row.period_label,
                row.current_display,
                row.value_status,
                row.compared_with,
                row.previous_display,
                row.change.label,
                row.rating.label,
                row.trend.label,
                row.forecast_or_why_not,
                row.year_end_text,
                "; ".join(row.flags),
                row.commentary,
                row.action_plan,
                row.current,
                row.target,
            ]
        )
    return HEADERS, rows


SUMMARY_HEADERS = [
    "Status",
    "Number of KPIs",
    "Percentage (%)",
    f"Of which provisional ({Measurement.PROVISIONAL_MEANING})",
]
SUMMARY_SHEET = "RAG summary"


def summary_table(card: Scorecard) -> tuple[list[str], list[list]]:
    """The RAG summary as the page shows it, each line with how many of its ratings rest on
    provisional values, then that count in words."""
    rows: list[list] = [
        [line.label, line.count, line.percent, line.provisional] for line in card.summary
    ]
    not_reported = card.not_reported
    rows.append(
        [
            f"{not_reported.label} (not in the total; percentage of all {card.kpi_count} KPIs)",
            not_reported.count,
            not_reported.percent,
            not_reported.provisional,
        ]
    )
    if card.provisional_text:
        rows += [[], [card.provisional_text]]
    return SUMMARY_HEADERS, rows


def scorecard_csv(card: Scorecard) -> bytes:
    headers, rows = scorecard_table(card)
    return write_csv(headers, rows)


def summary_csv(card: Scorecard) -> bytes:
    headers, rows = summary_table(card)
    return write_csv(headers, rows)


def scorecard_xlsx(card: Scorecard) -> bytes:
    headers, rows = scorecard_table(card)
    summary = (SUMMARY_SHEET, *summary_table(card))
    return write_xlsx(headers, rows, sheet_title=card.period.label, more_sheets=[summary])


def export(card: Scorecard, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) for "csv" or "xlsx"."""
    if file_format == "csv":
        return scorecard_csv(card), "text/csv; charset=utf-8", f"{card.slug}.csv"
    if file_format == "xlsx":
        return (
            scorecard_xlsx(card),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{card.slug}.xlsx",
        )
    raise ValueError(f"Unknown export format {file_format!r}: use csv or xlsx.")


def export_summary(card: Scorecard) -> tuple[bytes, str, str]:
    """The RAG summary as CSV: (content, content type, file name)."""
    return summary_csv(card), "text/csv; charset=utf-8", f"{card.slug}-rag-summary.csv"
