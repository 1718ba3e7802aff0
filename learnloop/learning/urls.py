from django.urls import path

from learnloop.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.item_create, name="item_create"),
    path("skills/", views.skill_search, name="skill_search"),
    path("<id:item_id>/", views.item_detail, name="item"),
    path("<id:item_id>/edit/", views.item_edit, name="item_edit"),
    path("<id:item_id>/file/", views.item_file, name="item_file"),
    path("mine/", views.my_learning, name="mine"),
    path("<id:item_id>/sessions/", views.item_sessions, name="item_sessions"),
    path("sessions/<id:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<id:session_id>/cancel/", views.session_cancel_view, name="session_cancel"),
    path("sessions/<id:session_id>/book/", views.session_book_view, name="session_book"),
    path("sessions/<id:session_id>/roster/", views.session_roster, name="session_roster"),
    path("sessions/<id:session_id>/follow-up/", views.session_follow_up_view, name="session_follow_up"),
    path("sessions/<id:session_id>/attendance/", views.session_attendance, name="session_attendance"),
    path("bookings/<id:booking_id>/cancel/", views.booking_cancel_view, name="booking_cancel"),
    path("<id:item_id>/enrol/", views.enrol, name="enrol"),
    path("<id:item_id>/progress/", views.progress, name="progress"),
    path("<id:item_id>/complete/", views.complete, name="complete"),
    path("<id:item_id>/drop/", views.drop, name="drop"),
    path("<id:item_id>/retake/", views.retake, name="retake"),
]
