from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("signins/", views.signin_log, name="signin_log"),
]
