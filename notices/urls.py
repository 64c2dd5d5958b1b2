from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notice_open, name="open"),
    path("<int:pk>/read/", views.notice_read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.settings_page, name="settings"),
    path("webhooks/find/", views.webhook_find, name="webhook_find"),
    path("webhooks/<int:unit_id>/", views.webhook_edit, name="webhook"),
    path("sent/", views.sent_list, name="sent"),
    path("sent/<int:pk>/", views.delivery_detail, name="delivery"),
    path("sent/test-email/", views.test_email, name="test_email"),
]
