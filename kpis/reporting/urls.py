"""The reporting cycle's addresses, in groups that the project mounts (pmf/urls.py): the officers'
entry pages and the approvers' sign-off at /my-kpis/, G&P's cycle at /reporting/, bulk entry of
values at /reporting/values/, targets in bulk (import and export) under /reporting/targets/, and
a KPI's page, which joins the register's addresses (kpis/urls.py).
"""

from django.urls import path, re_path

from kpis.reporting import views
from pmf.ids import ID_PATTERN

kpi_pages = [
    path("<str:reference>/", views.kpi_detail, name="detail"),
]

entry = (
    [
        path("", views.my_kpis, name="my_kpis"),
        path("approvals/", views.approvals, name="approvals"),
        path("approvals/approve/", views.approve, name="approve"),
        path("approvals/return/", views.return_value, name="return"),
        path("<id:period_id>/<str:reference>/", views.edit, name="edit"),
    ],
    "entry",
)

cycle = (
    [
        path("", views.periods, name="periods"),
        path("rag-policy/", views.rag_policy, name="rag_policy"),
        path("targets/", views.targets, name="targets"),
        path("targets/<str:reference>/<id:year>/", views.target_edit, name="target_edit"),
        path("<id:period_id>/", views.dashboard, name="dashboard"),
        path("<id:period_id>/chase/", views.chase, name="chase"),
        path("<id:period_id>/open/", views.period_open, name="period_open"),
        re_path(
            rf"^(?P<period_id>{ID_PATTERN})/(?P<action>close|lock)/$",
            views.period_confirm,
            name="period_confirm",
        ),
        path("<id:period_id>/reopen/", views.period_reopen, name="period_reopen"),
    ],
    "reporting",
)

values = (
    [
        path("", views.upload, name="upload"),
        path("confirm/", views.confirm, name="confirm"),
        path("cancel/", views.cancel, name="cancel"),
    ],
    "values",
)

# Beside the cycle's /reporting/targets/ pages: none of these is a KPI reference and a year.
targets = (
    [
        path("import/", views.targets_upload, name="upload"),
        path("import/confirm/", views.targets_confirm, name="confirm"),
        path("import/cancel/", views.targets_cancel, name="cancel"),
        re_path(r"^export\.(?P<file_format>csv|xlsx)$", views.targets_download, name="download"),
    ],
    "targets",
)
