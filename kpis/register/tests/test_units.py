"""The council's units: the table, how the product reads it without a query per figure, and the
range a unit gives forecasts and entries."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.register import services, units
from kpis.register.models import Kpi, Unit, unit_style, unit_table, value_bounds
from kpis.register.tests.factories import KpiFactory
from pmf.formatting import format_value

pytestmark = pytest.mark.django_db
CODE_MESSAGE = "Use small letters, digits and underscores (at most 20), starting with a letter."


def _unit(by, **fields) -> Unit:
    return services.unit_save(unit=Unit(**fields), by=by)


def test_the_council_starts_with_the_old_units_and_tonnes_co2e():
    assert [unit.code for unit in unit_table.all()] == [
        "days",
        "money",
        "count",
        "percent",
        "rate_1k",
        "rate_10k",
        "rate_100k",
        "ratio",
        "score",
        "tonnes_co2e",
        "weeks",
    ]
    assert format_value(Decimal("7154"), unit_style("tonnes_co2e")) == "7,154 tCO2e"
    assert format_value(Decimal("1"), unit_style("days")) == "1 day"


def test_each_unit_has_the_range_entries_and_forecasts_used():
    assert value_bounds("percent") == (0, 100)
    for code in ("count", "money", "days", "weeks", "rate_1k", "rate_10k", "rate_100k"):
        assert value_bounds(code) == (0, None), code
    assert value_bounds("tonnes_co2e") == (0, None)
    assert value_bounds("score") == (None, None)
    assert value_bounds("ratio") == (None, None)
    assert value_bounds("furlongs") == (None, None)


def test_a_figure_costs_no_query(django_assert_num_queries):
    kpi = KpiFactory(unit="tonnes_co2e", decimals=1)
    with django_assert_num_queries(0):
        texts = {kpi.value_text(Decimal(n)) for n in range(2000)}
        bounds = value_bounds("percent")
    assert "1,999.0 tCO2e" in texts
    assert bounds == (0, 100)


def test_saving_a_unit_is_read_here_at_once_and_by_every_process_once_it_commits(
    gp, django_capture_on_commit_callbacks
):
    unit_table.all()
    version = cache.get(units.VERSION_KEY)
    days = Unit.objects.get(code="days")
    days.suffix, days.singular_suffix = "working days", "working day"

    with django_capture_on_commit_callbacks(execute=True):
        services.unit_save(unit=days, by=gp)
        assert unit_style("days").suffix == " working days"  # this process, before the commit

    assert cache.get(units.VERSION_KEY) not in (None, version)


class Clock:
    """The process's monotonic clock, moved on by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(units, "time", clock)
    unit_table.forget()
    return clock


def test_a_unit_changed_by_another_process_is_read_once_the_shared_version_changes(clock):
    assert unit_style("score").suffix == ""
    # Another process saves the unit (no signal reaches this one) and, on commit, sets a new
    # version in the cache they share.
    Unit.objects.filter(code="score").update(suffix="points")
    cache.set(units.VERSION_KEY, "another process's version")

    clock.now += units.RECHECK_SECONDS / 2
    assert unit_style("score").suffix == ""  # not asked again yet: no cost per figure
    clock.now += units.RECHECK_SECONDS
    assert unit_style("score").suffix == " points"


def test_the_units_are_read_again_when_the_shared_version_expires(clock):
    assert unit_table.get("ratio").name == "Ratio"
    Unit.objects.filter(code="ratio").update(name="Ratio (x:1)")

    cache.delete(units.VERSION_KEY)  # as the key's timeout (UNITS_CACHE_SECONDS) does
    clock.now += units.RECHECK_SECONDS

    assert unit_table.get("ratio").name == "Ratio (x:1)"


def test_only_gp_change_the_units(owner, approver, clerk, viewer):
    for user in (owner, approver, clerk, viewer):
        with pytest.raises(PermissionDenied):
            _unit(user, code="mwh", name="Megawatt hours")
    assert not Unit.objects.filter(code="mwh").exists()


def test_a_units_code_never_changes(gp):
    percent = Unit.objects.get(code="percent")
    percent.code = "pc"
    with pytest.raises(ValidationError) as excinfo:
        services.unit_save(unit=percent, by=gp)
    assert excinfo.value.message_dict == {"code": ["A unit's code cannot change."]}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"lowest": 10, "highest": 5},
            {"highest": ["The highest value must be at least the lowest."]},
        ),
        ({"aliases": "MWh; gbp"}, {"aliases": ["“gbp” already means Money (£)."]}),
        ({"name": "PERCENTAGE (%)"}, {"name": ["“PERCENTAGE (%)” already means Percentage (%)."]}),
        ({"code": "Mega Watts"}, {"code": [CODE_MESSAGE]}),
        ({"code": "new"}, {"code": ["“new” is reserved: choose another code."]}),
        ({"code": "gbp"}, {"code": ["“gbp” already means Money (£)."]}),
        ({"decimals": 5}, {"decimals": ["Ensure this value is less than or equal to 4."]}),
    ],
)
def test_a_unit_that_would_confuse_is_refused_and_nothing_saved(gp, fields, errors):
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _unit(gp, **{"code": "mwh", "name": "Megawatt hours", **fields})
    assert excinfo.value.message_dict == errors
    assert Unit.objects.count() == before


def test_a_kpis_unit_must_be_one_of_the_councils():
    kpi = KpiFactory.build(unit="furlongs")
    with pytest.raises(ValidationError) as excinfo:
        kpi.full_clean(exclude=["directorate", "service"])
    assert excinfo.value.message_dict["unit"] == [
        "“furlongs” is not a unit. Use one of the council's units: Days, Money (£), Number, "
        "Percentage (%), Rate per 1,000, Rate per 10,000, Rate per 100,000, Ratio, Score, "
        "Tonnes CO2e, Weeks."
    ]


def test_a_kpis_own_decimals_replace_its_units():
    kpi = KpiFactory.build(unit=Kpi.Unit.MONEY, decimals=0)
    assert kpi.value_text(Decimal("1250.75")) == "£1,251"
    kpi.decimals = None
    assert kpi.value_text(Decimal("1250.75")) == "£1,250.75"
    kpi.unit, kpi.decimals = Kpi.Unit.PERCENT, 2
    assert kpi.value_text(Decimal("72.5")) == "72.50%"
    assert kpi.value_text(71.234) == "71.23%"  # a forecast too
