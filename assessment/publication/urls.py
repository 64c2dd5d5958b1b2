from django.urls import path

from . import views

app_name = "publication"
urlpatterns = [
    path("", views.notice_latest, name="latest"),
    path("<int:year>/", views.notice, name="notice"),
    path("<int:year>/objection/", views.objection_create, name="objection_create"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("interviews/<int:year>/", views.interviews, name="interviews"),
    path("interviews/<int:year>/branch/<int:branch_id>/new/", views.interview_create, name="interview_create"),
    path("interviews/record/<int:pk>/", views.interview_detail, name="interview"),
    path("interviews/record/<int:pk>/problem/", views.interview_problem, name="interview_problem"),
    path("documents/<int:branch_id>/<int:year>/", views.documents, name="documents"),
    path("documents/<int:branch_id>/<int:year>/upload/", views.document_upload, name="document_upload"),
    path("documents/file/<int:pk>/", views.document_download, name="document"),
    path("documents/file/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("scores/<int:pk>/history/", views.score_history, name="score_history"),
]
