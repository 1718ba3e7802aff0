from django.urls import path

from learnloop.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.plan_create, name="plan_create"),
    path("team/", views.team, name="team"),
    path("team/nudge/<id:person_id>/", views.nudge, name="nudge"),
    path("people/<id:person_id>/", views.person_plans, name="person_plans"),
    path("<id:plan_id>/", views.plan_detail, name="plan"),
    path("<id:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<id:plan_id>/close/", views.plan_close, name="plan_close"),
    path("<id:plan_id>/comments/", views.comment, name="comment"),
    path("<id:plan_id>/goals/new/", views.goal_create, name="goal_create"),
    path("<id:plan_id>/smart-check/", views.smart_check, name="smart_check"),
    path("<id:plan_id>/items/", views.item_search, name="item_search"),
    path("goals/<id:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<id:goal_id>/complete/", views.goal_complete, name="goal_complete"),
    path("goals/<id:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("objectives/", views.objectives, name="objectives"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<id:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("transfer/", views.transfer_list, name="transfer_list"),
    path("transfer/insights/", views.transfer_insights, name="transfer_insights"),
    path("transfer/<id:check_id>/", views.transfer_answer, name="transfer_answer"),
]
