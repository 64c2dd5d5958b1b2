from django.urls import path

from . import views

app_name = "pledges"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.pledge_new, name="new"),
    path("<int:pk>/", views.pledge_detail, name="detail"),
    path("<int:pk>/edit/", views.pledge_edit, name="edit"),
    path("<int:pk>/delete/", views.pledge_delete, name="delete"),
    path("<int:pk>/notes/", views.pledge_note_add, name="note_add"),
    path("branch/<int:branch_id>/new/", views.branch_pledge_new, name="branch_new"),
    path("branch/<int:branch_id>/<int:year>/", views.board, name="board"),
    path("branch/<int:branch_id>/<int:year>/rate/", views.rate, name="rate"),
    path("appraisals/", views.appraisal_list, name="appraisals"),
    path("appraisals/new/", views.appraisal_open, name="appraisal_open"),
    path("appraisals/<int:pk>/", views.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/self/", views.appraisal_self, name="appraisal_self"),
    path("appraisals/<int:pk>/ballot/", views.appraisal_ballot, name="appraisal_ballot"),
    path("appraisals/<int:pk>/manage/", views.appraisal_manage, name="appraisal_manage"),
    path("appraisals/<int:pk>/end-voting/", views.appraisal_end_voting, name="appraisal_end_voting"),
    path("appraisals/<int:pk>/close/", views.appraisal_close, name="appraisal_close"),
    path("notes/", views.note_list, name="notes"),
    path("notes/new/", views.note_new, name="note_new"),
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/attachment/", views.note_attachment, name="note_attachment"),
    path("notes/branch/<int:branch_id>/<int:year>/", views.note_grid, name="note_grid"),
    path("record/", views.my_record, name="my_record"),
    path("record/<int:member_id>/", views.record, name="record"),
]
