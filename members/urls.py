from django.urls import path

from . import roster_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("roster/", roster_views.import_page, name="roster_import"),
    path("roster/template/", roster_views.template_download, name="roster_template"),
    path("roster/export/", roster_views.export_download, name="roster_export"),
]
