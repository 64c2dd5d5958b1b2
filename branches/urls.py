from django.urls import path

from . import views

app_name = "branches"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.create, name="create"),
    path("unit-options/", views.unit_options, name="unit_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/roles/grant/", views.role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
]
