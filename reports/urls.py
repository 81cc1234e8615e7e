from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("meetings/<id:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<id:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<id:meeting_id>/preview/", views.preview, name="preview"),
    path("meetings/<id:meeting_id>/preview.pdf", views.preview_pdf, name="preview_pdf"),
    path(
        "meetings/<id:meeting_id>/preview.pdf/make",
        views.preview_pdf_request,
        name="preview_pdf_request",
    ),
    path("meetings/<id:meeting_id>/generate/", views.generate, name="generate"),
    path(
        "meetings/<id:meeting_id>/versions/<id:number>.pdf",
        views.version_pdf,
        name="version_pdf",
    ),
    path(
        "meetings/<id:meeting_id>/versions/<id:number>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("periods/<id:period_id>/generate/", views.generate_period, name="generate_period"),
]
