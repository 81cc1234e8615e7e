from django.urls import path, re_path

from committees import views
from pmf.ids import ID_PATTERN

app_name = "committees"

urlpatterns = [
    path("", views.index, name="index"),
    path("<id:committee_id>/", views.detail, name="detail"),
    path("<id:committee_id>/details/", views.details_edit, name="details_edit"),
    path("<id:committee_id>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<id:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<id:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<id:committee_id>/actions/", views.actions, name="actions"),
    path("<id:committee_id>/actions/new/", views.action_create, name="action_create"),
    path("actions/<id:action_id>/edit/", views.action_edit, name="action_edit"),
    path("actions/<id:action_id>/update/", views.action_update, name="action_update"),
    path("proposals/", views.proposals, name="proposals"),
    re_path(
        r"^proposals/new/(?P<kind>add|remove|amend)/$",
        views.proposal_create,
        name="proposal_create",
    ),
    path("proposals/<id:proposal_id>/", views.proposal, name="proposal"),
    path("proposals/<id:proposal_id>/edit/", views.proposal_edit, name="proposal_edit"),
    re_path(
        rf"^proposals/(?P<proposal_id>{ID_PATTERN})/(?P<step>quality|consultation|equality|director|committee|adopt)/$",
        views.proposal_step,
        name="proposal_step",
    ),
    path("audits/", views.audits, name="audits"),
    path("audits/<id:audit_id>/", views.audit, name="audit"),
    path("audits/checks/<id:check_id>/", views.audit_check, name="audit_check"),
    path("audits/kpi/<str:reference>/", views.kpi_audits, name="kpi_audits"),
]
