from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from luoshi.api import api
from luoshi.org import auth

admin.site.login_form = auth.ThrottledAdminAuthenticationForm
admin.site.login = auth.admin_login(admin.site.login)

admin.site.site_header = "落实 · 系统管理"
admin.site.site_title = "落实"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("ledger/", include("luoshi.ledger.excel_views")),
    path("projects/", include("luoshi.projects.urls")),
    path("service/", include("luoshi.service.urls")),
    path("cockpit/", include("luoshi.cockpit.urls")),
    path("evaluation/", include("luoshi.evaluation.urls")),
    path("jobs/", include("luoshi.jobs.urls")),
    path("open311/v2/", include("luoshi.service.open311")),
    path("", include("luoshi.ledger.urls")),
]
