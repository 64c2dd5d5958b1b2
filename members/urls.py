from django.urls import path

from . import roster_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.create, name="create"),
    path("probationary/", views.probationary, name="probationary"),
    path("group-options/", views.group_options, name="group_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("roster/", roster_views.import_page, name="roster_import"),
    path("roster/template/", roster_views.template_download, name="roster_template"),
    path("roster/export/", roster_views.export_download, name="roster_export"),
]
