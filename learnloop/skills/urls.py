from django.urls import path

from learnloop.skills import views

app_name = "skills"
urlpatterns = [
    path("", views.skill_list, name="list"),
    path("mine/", views.my_skills, name="mine"),
    path("team/", views.team, name="team"),
    path("people/<id:person_id>/", views.person_skills, name="person"),
    path("people/<id:person_id>/rate/", views.rate, name="rate"),
    path("new/", views.skill_create, name="create"),
    path("<id:skill_id>/", views.skill_detail, name="detail"),
    path("<id:skill_id>/edit/", views.skill_edit, name="edit"),
    path("<id:skill_id>/retire/", views.skill_retire, name="retire"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<id:category_id>/", views.category_edit, name="category_edit"),
    path("import/", views.skill_import, name="import"),
    path("scale/", views.scale, name="scale"),
    path("scale/resize/", views.scale_resize, name="scale_resize"),
    path("scale/<id:level>/", views.scale_edit, name="scale_edit"),
    path("roles/", views.role_list, name="roles"),
    path("roles/<id:role_id>/", views.role_profile, name="role"),
    path("roles/<id:role_id>/requirements/", views.requirement_set, name="requirement_set"),
    path(
        "roles/<id:role_id>/requirements/<id:requirement_id>/remove/",
        views.requirement_remove,
        name="requirement_remove",
    ),
    path("roles/<id:role_id>/paths/", views.career_path_add, name="career_path_add"),
    path("roles/<id:role_id>/paths/<id:path_id>/remove/", views.career_path_remove, name="career_path_remove"),
]
