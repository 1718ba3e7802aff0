from django.urls import path

from learnloop.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("admin-area/", views.admin_area, name="admin_area"),
    path("admin-area/audit/", views.audit_log, name="audit_log"),
    path("admin-area/tasks/", views.task_list, name="task_list"),
]
