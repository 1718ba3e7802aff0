from django.urls import path

from learnloop.skills import views

app_name = "skills"
urlpatterns = [
    path("", views.skill_list, name="list"),
    path("mine/", views.my_skills, name="mine"),
    path("team/", views.team, name="team"),
    path("people/<int:person_id>/", views.person_skills, name="person"),
    path("people/<int:person_id>/rate/", views.rate, name="rate"),
    path("new/", views.skill_create, name="create"),
    path("<int:skill_id>/", views.skill_detail, name="detail"),
    path("<int:skill_id>/edit/", views.skill_edit, name="edit"),
    path("<int:skill_id>/retire/", views.skill_retire, name="retire"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("import/", views.skill_import, name="import"),
    path("scale/", views.scale, name="scale"),
    path("scale/<int:level>/", views.scale_edit, name="scale_edit"),
    path("roles/", views.role_list, name="roles"),
    path("roles/<int:role_id>/", views.role_profile, name="role"),
    path("roles/<int:role_id>/requirements/", views.requirement_set, name="requirement_set"),
    path(
        "roles/<int:role_id>/requirements/<int:requirement_id>/remove/",
        views.requirement_remove,
        name="requirement_remove",
    ),
    path("roles/<int:role_id>/paths/", views.career_path_add, name="career_path_add"),
    path("roles/<int:role_id>/paths/<int:path_id>/remove/", views.career_path_remove, name="career_path_remove"),
]
