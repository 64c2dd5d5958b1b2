from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.meeting_create, name="create"),
    path("attendance-table/", views.attendance_table, name="attendance_table"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/submit/", views.meeting_submit, name="submit"),
    path("<int:pk>/return/", views.meeting_return, name="return"),
    path("<int:pk>/delete/", views.meeting_delete, name="delete"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("units/<int:unit_id>/ledger/", views.ledger, name="ledger"),
    path("units/<int:unit_id>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("import/", views.ledger_import, name="import"),
    path("import/template.xlsx", views.ledger_template, name="import_template"),
    path("talks/", views.talk_list, name="talks"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("talks/<int:pk>/edit/", views.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/delete/", views.talk_delete, name="talk_delete"),
]
