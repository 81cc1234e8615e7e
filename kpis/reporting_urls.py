from django.urls import path, re_path

from kpis import reporting_views as views

app_name = "reporting"

urlpatterns = [
    path("", views.periods, name="periods"),
    path("targets/", views.targets, name="targets"),
    path("targets/<str:reference>/<int:year>/", views.target_edit, name="target_edit"),
    path("<int:period_id>/", views.dashboard, name="dashboard"),
    path("<int:period_id>/chase/", views.chase, name="chase"),
    path("<int:period_id>/open/", views.period_open, name="period_open"),
    re_path(
        r"^(?P<period_id>[0-9]+)/(?P<action>close|lock)/$",
        views.period_confirm,
        name="period_confirm",
    ),
    path("<int:period_id>/reopen/", views.period_reopen, name="period_reopen"),
]
