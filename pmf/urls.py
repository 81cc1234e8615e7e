from django.contrib import admin
from django.urls import include, path

from kpis.reporting import urls as reporting_urls
from pmf import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz/", views.healthz, name="healthz"),
    path("kpis/", include("kpis.urls")),
    path("scorecards/", include("scorecards.urls")),
    path("committees/", include("committees.urls")),
    path("packs/", include("reports.urls")),
    path("published/", include("reports.public_urls")),
    path("my-kpis/", include(reporting_urls.entry)),
    path("reporting/", include(reporting_urls.cycle)),
    path("reporting/values/", include(reporting_urls.values)),
    path("reporting/targets/", include(reporting_urls.targets)),
    path("django-admin/", admin.site.urls),
]

handler403 = "pmf.views.forbidden"
handler404 = "pmf.views.not_found"
handler500 = "pmf.views.server_error"
