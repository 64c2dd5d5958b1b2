from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.recruit_list, name="list"),
    path("new/", views.recruit_create, name="create"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("import/", views.import_page, name="import"),
    path("import/template/", views.template_download, name="template"),
    path("export/", views.export_download, name="export"),
    path("<int:pk>/", views.recruit_detail, name="detail"),
    path("<int:pk>/edit/", views.recruit_edit, name="edit"),
    path("<int:pk>/steps/<int:number>/", views.step_record, name="step"),
    path("<int:pk>/print/", views.recruit_print, name="print"),
    path("<int:pk>/pdf/", views.recruit_pdf, name="pdf"),
    path("steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("steps/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
