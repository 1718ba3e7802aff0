from django.urls import path

from learnloop.people import views

app_name = "people"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("org-chart/", views.org_chart, name="org_chart"),
    path("import/", views.import_people, name="import"),
    path("new/", views.create, name="create"),
    path("<id:person_id>/", views.profile, name="profile"),
    path("<id:person_id>/team/", views.team, name="team"),
    path("<id:person_id>/edit/", views.edit, name="edit"),
    path("<id:person_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<id:person_id>/reactivate/", views.reactivate, name="reactivate"),
    path("<id:person_id>/roles/", views.roles, name="roles"),
]
