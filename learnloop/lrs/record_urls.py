from django.urls import path

from learnloop.lrs import pages

app_name = "learning_record"
urlpatterns = [
    path("", pages.my_record, name="mine"),
    path("export.json", pages.my_record_export, name="export"),
    path("clients/", pages.clients, name="clients"),
    path("clients/<int:client_id>/revoke/", pages.client_revoke_view, name="client_revoke"),
]
