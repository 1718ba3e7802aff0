from django.urls import path

from learnloop.pathways import views

app_name = "pathways"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("mine/", views.mine, name="mine"),
    path("assign/", views.assign, name="assign"),
    path("assign/teams/", views.team_search, name="team_search"),
    path("people/<id:person_id>/", views.person, name="person"),
    path("new/", views.create, name="create"),
    path("<id:pathway_id>/", views.detail, name="detail"),
    path("<id:pathway_id>/pick/", views.pick, name="pick"),
    path("<id:pathway_id>/overview/", views.overview, name="overview"),
    path("<id:pathway_id>/edit/", views.edit, name="edit"),
    path("<id:pathway_id>/stages/new/", views.stage_create, name="stage_create"),
    path("stages/<id:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("<id:pathway_id>/items/", views.item_search, name="item_search"),
    path("stages/<id:stage_id>/move/", views.stage_move, name="stage_move"),
    path("stages/<id:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<id:stage_id>/steps/new/", views.step_create, name="step_create"),
    path("steps/<id:step_id>/edit/", views.step_edit, name="step_edit"),
    path("steps/<id:step_id>/move/", views.step_move, name="step_move"),
    path("steps/<id:step_id>/delete/", views.step_delete, name="step_delete"),
    path("assignments/<id:assignment_id>/unassign/", views.unassign, name="unassign"),
    path("assignments/<id:assignment_id>/due/", views.set_due, name="set_due"),
]
