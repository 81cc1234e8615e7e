"""Fuzzing with hypothesis: whatever people type or upload, the parsers and the rating engine
answer with a result or a ValueError (shown to the person), never an unhandled error.

pmf.spreadsheets.read_table is fuzzed in pmf/tests/test_spreadsheets.py; here are the layers
above it: period labels, the values and register imports' cell parsing (through the import
services themselves, preview and apply), the unit rules of an entry, and the rating engine.

Bugs these tests found and that are now fixed: a very long number with many decimal places in
the values import, and NaN or a huge money value in `entry_errors`, raised decimal errors (500s);
a NUL character in a CSV cell was stored (SQLite) or refused by the database (PostgreSQL). Each
has a test below.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kpis import rating
from kpis.register.io import register_import
from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.io import ValuesImportResult, values_import
from kpis.reporting.models import ReportingPeriod, Target
from kpis.reporting.periods import parse_label, period_spec
from kpis.reporting.services import Entry, entry_errors
from kpis.reporting.tests.factories import make_period

DB_FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text people type into a number cell: digits with the extras we accept (£ % , spaces),
# exponents, signs, Unicode digits, words, and anything at all.
number_text = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[-+]?[£]?\s?[0-9,]{0,20}(\.[0-9]{0,8})?%?\Z"),
    st.from_regex(r"\A[-+]?[0-9]{1,3}(\.[0-9]{0,3})?[eE][-+]?[0-9]{1,5}\Z"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers().map(str),
    st.sampled_from(["NaN", "sNaN", "-Infinity", "inf", "1_000", "٣٤", "１２", "0x10", "1e-5"]),
)
label_text = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A\s*\d{4}\s*/\s*\d{2}(\s+(Q\d|[A-Za-z]{3}))?\s*\Z"),
    st.builds(
        lambda year, end, suffix: f"{year}/{end:02d}{suffix}",
        st.integers(0, 9999),
        st.integers(0, 99),
        st.sampled_from(["", " Q1", " Q4", " Q5", " q0", " Oct", " jan", " Foo", " Q", "  Mar  "]),
    ),
)


@settings(max_examples=3000)
@given(label_text)
@example("2025/26 Q3")
@example("2025/26 Oct")
@example("2025/26")
@example("9999/00 Q4")
@example("0000/01 Apr")
@example("２０２５/２６ Q3")  # full-width digits match \d
def test_parse_label_returns_a_period_or_raises_value_error(text):
    try:
        kind, year, number = parse_label(text)
    except ValueError as error:
        assert str(error)
        return
    assert kind in {"month", "quarter", "year"}
    assert 0 <= year <= 9999
    assert 1 <= number <= {"month": 12, "quarter": 4, "year": 1}[kind]
    try:
        spec = period_spec(kind, year, number)
    except ValueError:
        return  # a year outside the calendar (0 or 9999): refused, not a crash
    assert spec.starts_on <= spec.ends_on


@settings(max_examples=500)
@given(
    kind=st.sampled_from(["month", "quarter", "year"]),
    year=st.integers(1990, 2100),
    data=st.data(),
)
def test_every_period_label_parses_back_to_its_period(kind, year, data):
    number = data.draw(st.integers(1, {"month": 12, "quarter": 4, "year": 1}[kind]))
    spec = period_spec(kind, year, number)
    period = ReportingPeriod(
        kind=kind, financial_year=year, number=number, starts_on=spec.starts_on
    )
    assert parse_label(period.label) == (kind, year, number)
    assert parse_label(f"  {period.label.lower()}  ") == (kind, year, number)


# The unit rules of an entry --------------------------------------------------------------------


def _kpi(unit: str, outside: bool, fraction: bool) -> Kpi:
    return Kpi(
        reference="1",
        unit=unit,
        allows_values_outside_0_100=outside,
        numerator_label="Done" if fraction else "",
        denominator_label="All" if fraction else "",
    )


def _decimals(places: int, whole_digits: int):
    limit = Decimal(10) ** whole_digits - Decimal(1).scaleb(-places)
    return st.decimals(min_value=-limit, max_value=limit, places=places)


# Every Decimal the entry form or the import can produce: at most 14 whole digits and 4 places
# (DecimalField(max_digits=18, decimal_places=4)), and values worked out from a fraction (up to
# 23 whole digits, rounded to 4 places).
reachable = st.one_of(st.none(), *[_decimals(places, 14) for places in range(5)], _decimals(4, 23))
anything = st.one_of(st.none(), st.decimals(allow_nan=True, allow_infinity=True))


def entries(numbers):
    return st.builds(
        Entry,
        value=numbers,
        numerator=numbers,
        denominator=numbers,
        not_available=st.booleans(),
        not_available_reason=st.text(max_size=5),
        commentary=st.text(max_size=5),
        action_plan=st.text(max_size=5),
        data_quality_note=st.text(max_size=5),
    )


# The unit rules come from the council's Units table: these read it.
@pytest.mark.django_db
@settings(max_examples=3000)
@given(
    unit=st.sampled_from(Kpi.Unit.values),
    outside=st.booleans(),
    fraction=st.booleans(),
    entry=entries(reachable),
)
def test_entry_errors_returns_a_dict_of_messages_for_any_value_the_pages_can_send(
    unit, outside, fraction, entry
):
    errors = entry_errors(_kpi(unit, outside, fraction), entry)

    assert isinstance(errors, dict)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items())


@pytest.mark.django_db
@settings(max_examples=500)
@given(
    unit=st.sampled_from(Kpi.Unit.values),
    outside=st.booleans(),
    fraction=st.booleans(),
    entry=entries(anything),
)
@example(unit=Kpi.Unit.MONEY, outside=False, fraction=False, entry=Entry(value=Decimal("1E+30")))
def test_entry_errors_returns_a_dict_for_any_decimal_at_all(unit, outside, fraction, entry):
    assert isinstance(entry_errors(_kpi(unit, outside, fraction), entry), dict)


# The rating engine -----------------------------------------------------------------------------

numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=-(2**1100), max_value=2**1100),  # too big for a float
)
amounts = st.one_of(
    st.integers(0, 10**6),
    st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=Decimal("1E+50"), allow_nan=False, allow_infinity=False),
)
policies = st.builds(
    rating.RatingPolicy,
    amber_tolerance=amounts,
    tolerance_basis=st.sampled_from(list(rating.ToleranceBasis)),
    blue_margin=st.one_of(st.none(), amounts),
    use_intervention_levels=st.booleans(),
)


@settings(max_examples=5000)
@given(
    value=numbers,
    target=numbers,
    intervention=numbers,
    direction=st.sampled_from(Kpi.Direction.values),
    status=st.sampled_from(Kpi.Status.values),
    policy=policies,
    not_available=st.booleans(),
)
@example(
    value=Decimal("sNaN"),
    target=Decimal(1),
    intervention=None,
    direction="higher",
    status="live",
    policy=rating.DEFAULT_POLICY,
    not_available=False,
)
@example(
    value=2**1100,
    target=0.5,
    intervention=float("nan"),
    direction="lower",
    status="live",
    policy=rating.RatingPolicy(use_intervention_levels=True, blue_margin=0),
    not_available=False,
)
def test_rate_never_raises_for_a_valid_status_and_direction(
    value, target, intervention, direction, status, policy, not_available
):
    result = rating.rate(
        value,
        target,
        direction=direction,
        status=status,
        intervention=intervention,
        policy=policy,
        not_available=not_available,
    )
    assert isinstance(result, rating.Rating)
    if status != "live":
        assert not result.is_performance


@settings(max_examples=1000)
@given(
    value=numbers,
    target=numbers,
    direction=st.one_of(st.text(max_size=8), st.sampled_from(Kpi.Direction.values)),
    status=st.one_of(st.text(max_size=8), st.sampled_from(Kpi.Status.values), st.none()),
)
def test_rate_refuses_a_bad_status_or_direction_only_with_value_error(
    value, target, direction, status
):
    try:
        result = rating.rate(value, target, direction=direction, status=status)
    except ValueError:
        return
    assert isinstance(result, rating.Rating)


# The values import: preview and apply ---------------------------------------------------------

VALUES_HEADERS = [
    "reference",
    "period",
    "value",
    "numerator",
    "denominator",
    "not_available",
    "not_available_reason",
    "commentary",
]


@pytest.fixture
def values_world(db, directorate, owner):
    open_quarter = make_period("quarter", 2025, 3)
    make_period("quarter", 2025, 2, state=ReportingPeriod.State.CLOSED)
    make_period("quarter", 2025, 1, state=ReportingPeriod.State.LOCKED)
    make_period("month", 2025, 7)
    made = [
        KpiFactory(reference="169", directorate=directorate, lead_officer=owner),
        KpiFactory(
            reference="170", directorate=directorate, lead_officer=owner, unit=Kpi.Unit.COUNT
        ),
        KpiFactory(
            reference="171", directorate=directorate, lead_officer=owner, unit=Kpi.Unit.MONEY
        ),
        KpiFactory(
            reference="172",
            directorate=directorate,
            lead_officer=owner,
            unit=Kpi.Unit.RATE_PER_100000,
            numerator_label="Cases",
            denominator_label="Population",
            direction=Kpi.Direction.LOWER,
        ),
        KpiFactory(
            reference="173",
            directorate=directorate,
            lead_officer=owner,
            frequency=Kpi.Frequency.MONTHLY,
        ),
    ]
    for kpi in made:
        Target.objects.create(kpi=kpi, financial_year=2025, value=Decimal(80))
    return open_quarter


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue().encode()


VALID_VALUES_ROWS = [
    ["169", "2025/26 Q3", "72.5", "", "", "no", "", "Down on last quarter."],
    ["170", "2025/26 Q3", "1,204", "", "", "", "", ""],
    ["171", "2025/26 q3", "£1250.50", "", "", "", "", "=cmd|'/C calc'!A0"],
    ["172", "2025/26 Q3", "", "12", "100000", "", "", "From the census."],
    ["173", "2025/26 Oct", "95%", "", "", "", "", ""],
    ["169", "2025/26 Q3", "", "", "", "yes", "The survey was cancelled.", ""],
]
# Each cell's fuzz, by column: anything at all, or text of the kind the column expects.
VALUES_CELL_FUZZ = [
    st.one_of(st.sampled_from(["169", "172", "999", " 170 ", "169.0"]), st.text(max_size=6)),
    st.one_of(st.sampled_from(["2025/26 Q2", "2025/26 Q1", "2025/26", "2024/25 Q3"]), label_text),
    number_text,
    number_text,
    number_text,
    st.one_of(st.sampled_from(["yes", "no", "", "Y", "0", "maybe"]), st.text(max_size=4)),
    st.text(max_size=10),
    st.one_of(st.text(max_size=20), st.sampled_from(["@SUM(1)", "\t=1+1", "\x00"])),
]


@st.composite
def values_rows(draw):
    """A few valid rows, each with up to two of its cells replaced by fuzz."""
    rows = []
    for base in draw(st.lists(st.sampled_from(VALID_VALUES_ROWS), min_size=1, max_size=4)):
        row = list(base)
        for column in draw(st.sets(st.integers(0, len(row) - 1), max_size=2)):
            row[column] = draw(VALUES_CELL_FUZZ[column])
        rows.append(row)
    return rows


@DB_FUZZ
@given(rows=values_rows(), apply=st.booleans(), as_gp=st.booleans())
@example(rows=[["169", "2025/26 Q3", "1e-5", "", "", "", "", ""]], apply=False, as_gp=False)
@example(rows=[["172", "2025/26 Q3", "", "1", "0.0001", "no", "", ""]], apply=True, as_gp=False)
def test_the_values_import_answers_any_file_with_a_result(
    values_world, owner, gp, rows, apply, as_gp
):

    result = values_import(
        data=_csv(VALUES_HEADERS, rows),
        filename="values.csv",
        by=gp if as_gp else owner,
        apply=apply,
    )

    assert isinstance(result, ValuesImportResult)
    event(f"values file: {'applied' if result.applied else 'ok' if result.ok else 'refused'}")
    assert all(str(error) for error in result.errors)
    if result.errors:
        assert not result.applied


def test_the_values_import_refuses_a_long_number_with_many_decimal_places(values_world, owner):
    result = values_import(
        data=_csv(["reference", "period", "value"], [["169", "2025/26 Q3", "9" * 30 + ".12345"]]),
        filename="values.csv",
        by=owner,
        apply=False,
    )
    assert [error.column for error in result.errors] == ["value"]


# The register import: preview and apply -------------------------------------------------------

REGISTER_HEADERS = [
    "reference",
    "name",
    "directorate",
    "level",
    "perspective",
    "metric_category",
    "frequency",
    "unit",
    "direction",
    "leading_or_lagging",
    "target_kind",
    "date_added",
    "long_term_target",
    "long_term_target_year",
    "in_information_asset_register",
    "status",
    "date_removed",
    "lead_officer",
    "priorities",
    "committees",
]
REGISTER_ROW = {
    "reference": "500",
    "name": "Streets cleaned to standard",
    "directorate": "P&S",
    "level": "Operational",
    "perspective": "Residents",
    "metric_category": "Local authority",
    "frequency": "Quarterly",
    "unit": "%",
    "direction": "Higher is better",
    "leading_or_lagging": "Lagging",
    "target_kind": "Long-term target",
    "date_added": "2024-04-01",
    "long_term_target": "90",
    "long_term_target_year": "2030",
    "in_information_asset_register": "yes",
    "status": "Live",
    "date_removed": "",
    "lead_officer": "owner",
    "priorities": "",
    "committees": "",
}
cell_text = st.one_of(
    st.text(max_size=20),
    number_text,
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(str),
    st.sampled_from(["31/02/2024", "2024-13-01", "0001-01-01", "yes", "no", "1; 2; 99", "; ;"]),
)


# Other spellings each column accepts, so that fuzzed rows also get through to the writes.
REGISTER_ALTERNATIVES = {
    "reference": ["501", "CS-12", "a.1"],
    "name": ["Café visits – “new”", "x" * 300],
    "directorate": ["Place and Sustainability", "p&s"],
    "level": ["Strategic", "corporate"],
    "perspective": ["Corporate/staff", "corporate"],
    "frequency": ["Monthly", "annual"],
    "unit": ["Number", "£", "Rate per 100,000", "days"],
    "direction": ["Lower is better", "lower"],
    "target_kind": ["Annual target", "Contextual", "long_term"],
    "date_added": ["01/04/2024", "2024-04-01 00:00:00"],
    "long_term_target": ["-5", "1,000.5", "£3", "", "0.00001"],
    "long_term_target_year": ["2045", ""],
    "in_information_asset_register": ["no", "Y", ""],
    "status": ["Baseline", "Retired", "Suspended"],
    "date_removed": ["2025-03-31", "2020-01-01"],
    "lead_officer": ["", "OWNER", "gp"],
}


@st.composite
def register_changes(draw):
    changes = {}
    for column in draw(st.sets(st.sampled_from(REGISTER_HEADERS), max_size=2)):
        valid = REGISTER_ALTERNATIVES.get(column, [REGISTER_ROW[column]])
        changes[column] = draw(st.one_of(st.sampled_from(valid), cell_text))
    return changes


@DB_FUZZ
@given(changes=register_changes(), apply=st.booleans())
@example(changes={"long_term_target": "1e999999999"}, apply=True)
@example(changes={"long_term_target": "9" * 30 + ".12345"}, apply=True)
@example(changes={"date_added": "9999-12-31", "date_removed": "0001-01-01"}, apply=True)
@example(changes={"reference": "../../etc", "name": "=cmd|'/C calc'!A0"}, apply=True)
def test_the_register_import_answers_any_row_with_a_result(directorate, owner, gp, changes, apply):
    row = {**REGISTER_ROW, **changes}

    result = register_import(
        data=_csv(REGISTER_HEADERS, [[row[h] for h in REGISTER_HEADERS]]),
        filename="register.csv",
        by=gp,
        apply=apply,
    )

    assert all(str(error) for error in result.errors)
    event(f"register row: {'applied' if result.applied else 'ok' if result.ok else 'refused'}")
    if not result.errors and apply:
        assert Kpi.objects.filter(reference=row["reference"].strip()).exists()
