"""Published packs: readable without signing in, at stable URLs."""

from django.urls import path

from reports import views

app_name = "published"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<id:meeting_id>/v<id:number>/", views.public_version, name="version"),
    path("<id:meeting_id>/v<id:number>.pdf", views.public_pdf, name="pdf"),
    path("<id:meeting_id>/v<id:number>.docx", views.public_docx, name="docx"),
    path("<id:meeting_id>/v<id:number>/document/", views.public_html, name="html"),
]
