from django.urls import path

from . import views

app_name = "yearbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.start, name="start"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
]
