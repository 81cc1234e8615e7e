"""The `kpis` namespace at /kpis/: the register's addresses, then a KPI's page, which shows its
values and so belongs to the reporting part. The reporting cycle's own addresses are mounted
from `kpis.reporting.urls` (see pmf/urls.py)."""

from kpis.register.urls import urlpatterns as register_pages
from kpis.reporting.urls import kpi_pages

app_name = "kpis"

# The KPI page's `<reference>/` comes after the register's fixed words (new/, import/, …).
urlpatterns = register_pages + kpi_pages
