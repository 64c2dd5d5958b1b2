from django.urls import path

from .views import appraisals, notes, pledges, record

app_name = "pledges"
urlpatterns = [
    path("", pledges.index, name="index"),
    path("new/", pledges.pledge_new, name="new"),
    path("<int:pk>/", pledges.pledge_detail, name="detail"),
    path("<int:pk>/edit/", pledges.pledge_edit, name="edit"),
    path("<int:pk>/delete/", pledges.pledge_delete, name="delete"),
    path("<int:pk>/notes/", pledges.pledge_note_add, name="note_add"),
    path("branch/<int:branch_id>/new/", pledges.branch_pledge_new, name="branch_new"),
    path("branch/<int:branch_id>/<int:year>/", pledges.board, name="board"),
    path("branch/<int:branch_id>/<int:year>/rate/", pledges.rate, name="rate"),
    path("appraisals/", appraisals.appraisal_list, name="appraisals"),
    path("appraisals/new/", appraisals.appraisal_open, name="appraisal_open"),
    path("appraisals/<int:pk>/", appraisals.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/self/", appraisals.appraisal_self, name="appraisal_self"),
    path("appraisals/<int:pk>/ballot/", appraisals.appraisal_ballot, name="appraisal_ballot"),
    path("appraisals/<int:pk>/manage/", appraisals.appraisal_manage, name="appraisal_manage"),
    path("appraisals/<int:pk>/end-voting/", appraisals.appraisal_end_voting, name="appraisal_end_voting"),
    path("appraisals/<int:pk>/close/", appraisals.appraisal_close, name="appraisal_close"),
    path("notes/", notes.note_list, name="notes"),
    path("notes/new/", notes.note_new, name="note_new"),
    path("notes/<int:pk>/", notes.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", notes.note_delete, name="note_delete"),
    path("notes/<int:pk>/attachment/", notes.note_attachment, name="note_attachment"),
    path("notes/branch/<int:branch_id>/<int:year>/", notes.note_grid, name="note_grid"),
    path("record/", record.my_record, name="my_record"),
    path("record/<int:member_id>/", record.record, name="record"),
]
