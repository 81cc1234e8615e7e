"""Published packs: readable without signing in, at stable URLs."""

from django.urls import path

from reports import views

app_name = "published"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:meeting_id>/v<int:number>/", views.public_version, name="version"),
    path("<int:meeting_id>/v<int:number>.pdf", views.public_pdf, name="pdf"),
    path("<int:meeting_id>/v<int:number>.docx", views.public_docx, name="docx"),
    path("<int:meeting_id>/v<int:number>/document/", views.public_html, name="html"),
]
