from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("create/", views.create, name="create"),
    path("member/<int:member_id>/reset-password/", views.password_reset, name="password_reset"),
]
