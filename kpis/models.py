"""Django finds an app's models here. They live in the part of the app that owns them:
`kpis.register.models` (the register and the council's structure) and `kpis.reporting.models`
(periods, targets, values, reminders, the RAG policy). Code imports them from there.
"""

from kpis.register.models import (  # noqa: F401
    Committee,
    CommitteeMembership,
    Directorate,
    Kpi,
    Priority,
    Service,
)
from kpis.reporting.models import (  # noqa: F401
    Measurement,
    RagPolicy,
    Reminder,
    ReportingPeriod,
    Target,
)
