from django.urls import path, re_path
from django.views.generic import RedirectView

from pmf.ids import ID_PATTERN
from scorecards import views

app_name = "scorecards"

EXPORT = r"export\.(?P<file_format>csv|xlsx)$"
SUMMARY = "rag-summary.csv"

urlpatterns = [
    path("", views.index, name="index"),
    # The RAG policy page moved to the reporting cycle; old links still find it.
    path(
        "rag-policy/",
        RedirectView.as_view(pattern_name="reporting:rag_policy", permanent=True),
        name="rag_policy",
    ),
    path("kpi/<str:reference>/", views.kpi_chart, name="kpi"),
    path("organisation/<id:period_id>/", views.organisation, name="organisation"),
    re_path(
        rf"^organisation/(?P<period_id>{ID_PATTERN})/{EXPORT}",
        views.organisation_export,
        name="organisation_export",
    ),
    path(
        f"organisation/<id:period_id>/{SUMMARY}",
        views.organisation_summary,
        name="organisation_summary",
    ),
    path("directorate/<id:directorate_id>/<id:period_id>/", views.directorate, name="directorate"),
    re_path(
        rf"^directorate/(?P<directorate_id>{ID_PATTERN})/(?P<period_id>{ID_PATTERN})/{EXPORT}",
        views.directorate_export,
        name="directorate_export",
    ),
    path(
        f"directorate/<id:directorate_id>/<id:period_id>/{SUMMARY}",
        views.directorate_summary,
        name="directorate_summary",
    ),
    path("committee/<id:committee_id>/<id:period_id>/", views.committee, name="committee"),
    re_path(
        rf"^committee/(?P<committee_id>{ID_PATTERN})/(?P<period_id>{ID_PATTERN})/{EXPORT}",
        views.committee_export,
        name="committee_export",
    ),
    path(
        f"committee/<id:committee_id>/<id:period_id>/{SUMMARY}",
        views.committee_summary,
        name="committee_summary",
    ),
]
