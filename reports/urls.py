from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("meetings/<id:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<id:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<id:meeting_id>/preview/", views.preview, name="preview"),
    path("meetings/<id:meeting_id>/preview.pdf", views.preview_pdf, name="preview_pdf"),
    path("meetings/<id:meeting_id>/preview.docx", views.preview_docx, name="preview_docx"),
    path(
        "meetings/<id:meeting_id>/preview.pdf/make",
        views.preview_pdf_request,
        name="preview_pdf_request",
    ),
    path("meetings/<id:meeting_id>/publish/", views.publish, name="publish"),
    path("meetings/<id:meeting_id>/schedule/", views.schedule, name="schedule"),
    path(
        "meetings/<id:meeting_id>/schedule/cancel/",
        views.schedule_cancel,
        name="schedule_cancel",
    ),
    path(
        "meetings/<id:meeting_id>/versions/<id:number>.pdf",
        views.version_pdf,
        name="version_pdf",
    ),
    path(
        "meetings/<id:meeting_id>/versions/<id:number>.docx",
        views.version_docx,
        name="version_docx",
    ),
    path(
        "meetings/<id:meeting_id>/versions/<id:number>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("periods/<id:period_id>/generate/", views.generate_period, name="generate_period"),
]
