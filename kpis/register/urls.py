"""The register's addresses, in the `kpis` namespace (see kpis/urls.py)."""

from django.urls import path, re_path

from kpis.register import views
from pmf.ids import ID_PATTERN

urlpatterns = [
    path("", views.register, name="register"),
    re_path(r"^export\.(?P<file_format>csv|xlsx)$", views.register_export, name="export"),
    path("new/", views.kpi_create, name="create"),
    path("import/", views.register_import, name="import"),
    path("structure/", views.structure, name="structure"),
    re_path(
        r"^structure/(?P<kind>directorate|service|priority)/new/$",
        views.structure_edit,
        name="structure_create",
    ),
    re_path(
        rf"^structure/(?P<kind>directorate|service|priority)/(?P<pk>{ID_PATTERN})/$",
        views.structure_edit,
        name="structure_edit",
    ),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_edit, name="unit_create"),
    path("units/<slug:code>/", views.unit_edit, name="unit_edit"),
    path("<str:reference>/edit/", views.kpi_edit, name="edit"),
    re_path(
        r"^(?P<reference>[^/]+)/(?P<action>suspend|reinstate|retire)/$",
        views.kpi_change_status,
        name="change_status",
    ),
]
