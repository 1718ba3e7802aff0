from django.urls import path

from learnloop.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("settings/", views.settings_page, name="settings"),
]
