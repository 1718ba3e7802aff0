from django.urls import path

from learnloop.core import views
from learnloop.core.confirm import confirm_view

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("confirm/", confirm_view, name="confirm"),
    path("admin-area/", views.admin_area, name="admin_area"),
    path("admin-area/audit/", views.audit_log, name="audit_log"),
    path("admin-area/audit/actors/", views.audit_actors, name="audit_actors"),
    path("admin-area/audit/export.csv", views.audit_export, name="audit_export"),
    path("admin-area/tasks/", views.task_list, name="task_list"),
    path("imports/<id:job_id>/", views.import_job, name="import_job"),
    path("imports/<id:job_id>/problems.csv", views.import_problems, name="import_problems"),
]
