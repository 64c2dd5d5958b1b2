from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/errors.xlsx", views.error_download, name="errors"),
]
