"""Reading a page's GOV.UK tables (pmf.tables) in view tests."""

import re


def aria_sort(html: str, header: str) -> str | None:
    """The aria-sort of the sortable column headed `header`: ascending, descending or none."""
    link = rf'<a class="govuk-link" [^>]*>{re.escape(header)}<'
    found = re.search(rf'<th scope="col"[^>]* aria-sort="(\w+)">\s*{link}', html)
    return found.group(1) if found else None


def row_headers(html: str) -> list[str]:
    """The text of each row's header cell, in the order shown."""
    cells = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def row_cells(html: str) -> list[str]:
    """The text of each row's cells after its header, one string a row, in the order shown."""
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<td [^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [" ".join(re.sub(r"<[^>]+>", " ", " ".join(row)).split()) for row in cells if row]
