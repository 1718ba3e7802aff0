from django.urls import path

from learnloop.learningtime import views

app_name = "learningtime"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("blocks/new/", views.block_new, name="block_new"),
    path("blocks/<id:block_id>/edit/", views.block_edit, name="block_edit"),
    path("blocks/<id:block_id>/status/", views.block_status, name="block_status"),
    path("blocks/<id:block_id>/cancel/", views.block_cancel_view, name="block_cancel"),
    path("team/", views.team, name="team"),
    path("people/<id:person_id>/budget/", views.person_budget, name="person_budget"),
    path("feed/new/", views.feed_new, name="feed_new"),
    path("feed/revoke/", views.feed_revoke_view, name="feed_revoke"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
]
