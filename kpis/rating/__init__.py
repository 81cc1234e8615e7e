"""The rating part of kpis: pure Python, no Django, importing nothing else of the project.

Plain values in, results out: the RAG rating engine (`engine`) and the change, trend and
forecast maths (`trends`). Forms, imports, scorecards and packs share them. The engine's public
names are available from this package: `from kpis import rating; rating.rate(...)`.
"""

from kpis.rating.engine import (
    DEFAULT_POLICY,
    INHERIT,
    PERFORMANCE_RATINGS,
    SUMMARY_ORDER,
    Rating,
    RatingPolicy,
    ToleranceBasis,
    effective_policy,
    rate,
    rate_many,
    rating_status,
)

__all__ = [
    "DEFAULT_POLICY",
    "INHERIT",
    "PERFORMANCE_RATINGS",
    "SUMMARY_ORDER",
    "Rating",
    "RatingPolicy",
    "ToleranceBasis",
    "effective_policy",
    "rate",
    "rate_many",
    "rating_status",
]
