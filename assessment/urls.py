from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("branch/<int:branch_id>/", views.branch, name="branch"),
    path("branch/<int:branch_id>/apply/", views.apply, name="apply"),
    path("branch/<int:branch_id>/<int:year>/", views.branch_check, name="branch_check"),
    path("branch/<int:branch_id>/<int:year>/score/", views.score_save, name="score_save"),
    path("branch/<int:branch_id>/<int:year>/problem/", views.problem_create, name="problem_create"),
    path("score/<int:pk>/clear/", views.score_clear, name="score_clear"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("problems/<int:pk>/close/", views.problem_close, name="problem_close"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("checks/", views.quarter_latest, name="quarter_latest"),
    path("checks/<int:year>/<int:quarter>/", views.quarter_check, name="quarter"),
    path("checks/<int:year>/<int:quarter>/run/", views.quarter_check_run, name="quarter_run"),
    path("checks/<int:year>/<int:quarter>/status/", views.quarter_check_status, name="quarter_status"),
    path("standard/", views.standard_current, name="standard_current"),
    path("standard/<int:year>/", views.standard_detail, name="standard"),
    path("standard/<int:year>/create/", views.standard_create, name="standard_create"),
    path("standard/<int:year>/edit/", views.standard_edit, name="standard_edit"),
    path("rating/", views.rating_latest, name="rating_latest"),
    path("rating/<int:year>/", views.rating_review, name="rating"),
    path("rating/<int:year>/run/", views.rating_run, name="rating_run"),
    path("rating/<int:year>/status/", views.rating_status, name="rating_status"),
    path("rating/<int:year>/approve/", views.rating_approve, name="rating_approve"),
    path("rating/<int:year>/reverse/", views.rating_reverse, name="rating_reverse"),
    path("rating/<int:year>/<int:pk>/override/", views.rating_override, name="rating_override"),
    path("import/", views.import_scores, name="import"),
    path("import/template/", views.import_template, name="import_template"),
]
