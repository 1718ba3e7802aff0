from django.urls import path

from learnloop.lrs import views

app_name = "learning_record"
urlpatterns = [
    path("", views.my_record, name="mine"),
    path("export.json", views.my_record_export, name="export"),
    path("clients/", views.clients, name="clients"),
    path("clients/<id:client_id>/revoke/", views.client_revoke_view, name="client_revoke"),
    path("clients/<id:client_id>/trust/", views.client_trust_view, name="client_trust"),
]
