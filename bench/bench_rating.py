"""The rating engine and trend maths: a million ratings, and trends and forecasts for 2,000 KPIs.

Pure Python (kpis.rating imports no Django), so this needs no database; bench/run.py
sets Django up anyway, which does no harm.
"""

import random

from bench.harness import Result, summarise, time_it

VALUE_COUNT = 1_000_000
SERIES_COUNT = 2_000
SERIES_LENGTH = 40


def _ratings_data(count: int):
    from kpis.rating import RatingPolicy

    policies = [
        RatingPolicy(),  # CCC: 10% of the target
        RatingPolicy(amber_tolerance=5, tolerance_basis="absolute", blue_margin=2),
        RatingPolicy(use_intervention_levels=True, blue_margin=10),  # HDC
    ]
    rng = random.Random(2024)
    targets = [rng.choice([0.0, 50.0, 85.0, 100.0, -20.0, 12.5]) for _ in range(count)]
    directions = [rng.choice(("higher", "lower")) for _ in range(count)]
    values = [t + rng.uniform(-30.0, 30.0) for t in targets]
    interventions = [
        t - 15.0 if d == "higher" else t + 15.0 for t, d in zip(targets, directions, strict=True)
    ]
    per_row = [policies[k % 3] for k in range(count)]
    return values, targets, directions, interventions, per_row


def _series(count: int, length: int) -> list[list[float | None]]:
    rng = random.Random(40)
    out = []
    for _ in range(count):
        level, slope = rng.uniform(10, 500), rng.uniform(-2, 2)
        season = [rng.uniform(-5, 5) for _ in range(4)]
        series: list[float | None] = [
            level + slope * k + season[k % 4] + rng.gauss(0, 1) for k in range(length)
        ]
        for k in rng.sample(range(length), 2):  # a couple of unreported periods
            series[k] = None
        out.append(series)
    return out


def rating_engine() -> list[Result]:
    import numpy as np

    from kpis.rating import rate, rate_many
    from kpis.rating.trends import change, forecast_next, forecast_year_end, trend

    values, targets, directions, interventions, per_row = _ratings_data(VALUE_COUNT)

    def loop():
        for v, t, d, i, p in zip(values, targets, directions, interventions, per_row, strict=True):
            rate(v, t, direction=d, intervention=i, policy=p)

    from decimal import Decimal

    decimal_rows = [
        (Decimal(f"{v:.2f}"), Decimal(f"{t:.2f}"), d, Decimal(f"{i:.2f}"), p)
        for v, t, d, i, p in zip(values, targets, directions, interventions, per_row, strict=True)
    ]

    def decimal_loop():  # values as they come from DecimalFields
        for v, t, d, i, p in decimal_rows:
            rate(v, t, direction=d, intervention=i, policy=p)

    arrays = (
        np.array(values),
        np.array(targets),
        np.array(directions, dtype=object),
        np.array(interventions),
        np.array(per_row, dtype=object),
    )

    def vectorised():
        v, t, d, i, p = arrays
        rate_many(v, t, direction=d, intervention=i, policy=p)

    def vectorised_from_lists():
        rate_many(values, targets, direction=directions, intervention=interventions, policy=per_row)

    series = _series(SERIES_COUNT, SERIES_LENGTH)

    def trends_and_forecasts():
        for s in series:
            change(s[-1], s[-2], direction="higher")
            trend(s, direction="higher")
            trend(s, direction="lower", periods=8)
            forecast_next(s)
            forecast_next(s, season_length=4)
            forecast_year_end(s[-3:], periods_in_year=4, value_basis="period", aggregate="sum")

    mix = "3 policies, both directions, 6 targets incl. 0 and negative"
    return [
        summarise(
            f"rate() loop, {VALUE_COUNT:,} values",
            time_it(loop, repeat=3, warmup=1),
            2000,
            mix,
        ),
        summarise(
            f"rate() loop, {VALUE_COUNT:,} Decimal values (exact path)",
            time_it(decimal_loop, repeat=3, warmup=1),
            2000,
            "as loaded from DecimalFields",
        ),
        summarise(
            f"rate_many(), {VALUE_COUNT:,} values from numpy arrays",
            time_it(vectorised, repeat=10, warmup=1),
            2000,
            mix,
        ),
        summarise(
            f"rate_many(), {VALUE_COUNT:,} values from Python lists",
            time_it(vectorised_from_lists, repeat=5, warmup=1),
            2000,
            "includes list → array conversion",
        ),
        summarise(
            f"change + 2 trends + 2 forecasts + year end, {SERIES_COUNT:,} series × "
            f"{SERIES_LENGTH}",
            time_it(trends_and_forecasts, repeat=10, warmup=1),
            500,
            "2 gaps per series",
        ),
    ]


BENCHMARKS = [rating_engine]
