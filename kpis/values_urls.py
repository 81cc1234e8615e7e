from django.urls import path

from kpis import values_views

app_name = "values"

urlpatterns = [
    path("", values_views.upload, name="upload"),
    path("confirm/", values_views.confirm, name="confirm"),
    path("cancel/", values_views.cancel, name="cancel"),
]
