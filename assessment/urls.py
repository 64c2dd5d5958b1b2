from django.urls import path

from .views import checks, dashboards, imports, problems, problems_bulk, ratings, standards

app_name = "assessment"
urlpatterns = [
    path("", dashboards.index, name="index"),
    path("branch/<int:branch_id>/", dashboards.branch, name="branch"),
    path("branch/<int:branch_id>/apply/", ratings.apply, name="apply"),
    path("branch/<int:branch_id>/<int:year>/", checks.branch_check, name="branch_check"),
    path("branch/<int:branch_id>/<int:year>/score/", checks.score_save, name="score_save"),
    path("branch/<int:branch_id>/<int:year>/problem/", problems.problem_create, name="problem_create"),
    path("score/<int:pk>/clear/", checks.score_clear, name="score_clear"),
    path("problems/", problems.problem_list, name="problems"),
    path("problems/close/", problems_bulk.problems_close_list, name="problems_close"),
    path("problems/close/bulk/", problems_bulk.problems_close_bulk, name="problems_close_bulk"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem"),
    path("problems/<int:pk>/evidence/", problems.evidence_upload, name="evidence_upload"),
    path("problems/<int:pk>/close/", problems.problem_close, name="problem_close"),
    path("evidence/<int:pk>/", problems.evidence_download, name="evidence"),
    path("checks/", checks.quarter_latest, name="quarter_latest"),
    path("checks/<int:year>/<int:quarter>/", checks.quarter_check, name="quarter"),
    path("checks/<int:year>/<int:quarter>/run/", checks.quarter_check_run, name="quarter_run"),
    path("checks/<int:year>/<int:quarter>/status/", checks.quarter_check_status, name="quarter_status"),
    path("standard/", standards.standard_current, name="standard_current"),
    path("standard/<int:year>/", standards.standard_detail, name="standard"),
    path("standard/<int:year>/create/", standards.standard_create, name="standard_create"),
    path("standard/<int:year>/edit/", standards.standard_edit, name="standard_edit"),
    path("rating/", ratings.rating_latest, name="rating_latest"),
    path("rating/<int:year>/", ratings.rating_review, name="rating"),
    path("rating/<int:year>/run/", ratings.rating_run, name="rating_run"),
    path("rating/<int:year>/status/", ratings.rating_status, name="rating_status"),
    path("rating/<int:year>/approve/", ratings.rating_approve, name="rating_approve"),
    path("rating/<int:year>/reverse/", ratings.rating_reverse, name="rating_reverse"),
    path("rating/<int:year>/<int:pk>/override/", ratings.rating_override, name="rating_override"),
    path("import/", imports.import_scores, name="import"),
    path("import/template/", imports.import_template, name="import_template"),
]
