from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<int:meeting_id>/preview/", views.preview, name="preview"),
    path("meetings/<int:meeting_id>/preview.pdf", views.preview_pdf, name="preview_pdf"),
    path("meetings/<int:meeting_id>/preview.docx", views.preview_docx, name="preview_docx"),
    path(
        "meetings/<int:meeting_id>/preview.pdf/make",
        views.preview_pdf_request,
        name="preview_pdf_request",
    ),
    path("meetings/<int:meeting_id>/generate/", views.generate, name="generate"),
    path(
        "meetings/<int:meeting_id>/versions/<int:number>.pdf",
        views.version_pdf,
        name="version_pdf",
    ),
    path(
        "meetings/<int:meeting_id>/versions/<int:number>.docx",
        views.version_docx,
        name="version_docx",
    ),
    path(
        "meetings/<int:meeting_id>/versions/<int:number>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("periods/<int:period_id>/generate/", views.generate_period, name="generate_period"),
]
