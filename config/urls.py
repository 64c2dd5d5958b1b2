from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as account_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("org/", include("branches.urls")),
    path("imports/", include("imports.urls")),
    path("members/", include("members.urls")),
    path("activities/", include("activities.urls")),
    path("pledges/", include("activities.pledges.urls")),
    path("dues/", include("dues.urls")),
    path("assessment/yearbook/", include("assessment.yearbook.urls")),
    path("assessment/publication/", include("assessment.publication.urls")),
    path("assessment/", include("assessment.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("security/", include("security.urls")),
    path("notices/", include("notices.urls")),
    path("admin/", admin.site.urls),
]
