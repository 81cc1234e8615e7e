"""The officers' entry pages and the approvers' sign-off, mounted at /my-kpis/."""

from django.urls import path

from kpis import entry_views

app_name = "entry"

urlpatterns = [
    path("", entry_views.my_kpis, name="my_kpis"),
    path("approvals/", entry_views.approvals, name="approvals"),
    path("approvals/approve/", entry_views.approve, name="approve"),
    path("approvals/return/", entry_views.return_value, name="return"),
    path("<int:period_id>/<str:reference>/", entry_views.edit, name="edit"),
]
