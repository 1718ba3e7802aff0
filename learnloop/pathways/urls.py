from django.urls import path

from learnloop.pathways import views

app_name = "pathways"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("mine/", views.mine, name="mine"),
    path("assign/", views.assign, name="assign"),
    path("assign/teams/", views.team_search, name="team_search"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("new/", views.create, name="create"),
    path("<int:pathway_id>/", views.detail, name="detail"),
    path("<int:pathway_id>/pick/", views.pick, name="pick"),
    path("<int:pathway_id>/overview/", views.overview, name="overview"),
    path("<int:pathway_id>/edit/", views.edit, name="edit"),
    path("<int:pathway_id>/stages/new/", views.stage_create, name="stage_create"),
    path("stages/<int:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:stage_id>/move-up/", views.stage_move, name="stage_move"),
    path("stages/<int:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<int:stage_id>/steps/new/", views.step_create, name="step_create"),
    path("steps/<int:step_id>/edit/", views.step_edit, name="step_edit"),
    path("steps/<int:step_id>/delete/", views.step_delete, name="step_delete"),
    path("assignments/<int:assignment_id>/unassign/", views.unassign, name="unassign"),
    path("assignments/<int:assignment_id>/due/", views.set_due, name="set_due"),
]
