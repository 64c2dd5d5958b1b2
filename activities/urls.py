from django.urls import path

from .archive import views as archive
from .views import attachments, compliance, imports, ledger, meetings, review, search, talks

app_name = "activities"
urlpatterns = [
    path("", meetings.index, name="index"),
    path("new/", meetings.meeting_create, name="create"),
    path("search/", search.meeting_search, name="search"),
    path("review/", review.review_list, name="review"),
    path("review/bulk/", review.review_bulk, name="review_bulk"),
    path("attendance-table/", meetings.attendance_table, name="attendance_table"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/submit/", meetings.meeting_submit, name="submit"),
    path("<int:pk>/return/", meetings.meeting_return, name="return"),
    path("<int:pk>/delete/", meetings.meeting_delete, name="delete"),
    path("<int:pk>/print/", archive.record_print, name="record_print"),
    path("<int:pk>/record.pdf", archive.record_pdf, name="record_pdf"),
    path("<int:pk>/attachments/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment_delete"),
    path("units/<int:unit_id>/ledger/", ledger.ledger, name="ledger"),
    path("units/<int:unit_id>/ledger.xlsx", ledger.ledger_export, name="ledger_export"),
    path("archives/", archive.archive_index, name="archives"),
    path("archives/start/", archive.archive_start, name="archive_start"),
    path("archives/<int:pk>/", archive.archive_job, name="archive_job"),
    path("archives/<int:pk>/progress/", archive.archive_progress, name="archive_progress"),
    path("archives/<int:pk>/download/", archive.archive_download, name="archive_download"),
    path("compliance/", compliance.compliance_page, name="compliance"),
    path("import/", imports.ledger_import, name="import"),
    path("import/template.xlsx", imports.ledger_template, name="import_template"),
    path("talks/", talks.talk_list, name="talks"),
    path("talks/new/", talks.talk_create, name="talk_create"),
    path("talks/<int:pk>/edit/", talks.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/delete/", talks.talk_delete, name="talk_delete"),
]
