from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("attention/", views.attention, name="attention"),
    path("branches/<int:branch_id>/<int:year>/", views.ledger, name="ledger"),
    path("branches/<int:branch_id>/<int:year>/collect/<int:month>/", views.collect, name="collect"),
    path("branches/<int:branch_id>/<int:year>/bases/", views.bases, name="bases"),
    path("branches/<int:branch_id>/<int:year>/remittances/", views.remittances, name="remittances"),
    path("members/<int:member_id>/<int:year>/", views.member, name="member"),
    path("payments/<int:pk>/delete/", views.payment_delete, name="payment_delete"),
    path("bases/<int:pk>/delete/", views.base_delete, name="base_delete"),
    path("exemptions/<int:pk>/delete/", views.exemption_delete, name="exemption_delete"),
    path("remittances/<int:pk>/delete/", views.remittance_delete, name="remittance_delete"),
    path("years/", views.years, name="years"),
    path("import/", views.import_page, name="import"),
    path("import/template/", views.template_download, name="template"),
    path("export/", views.export, name="export"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
