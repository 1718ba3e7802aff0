from django.urls import path

from learnloop.lrs import xapi

app_name = "lrs"
urlpatterns = [
    path("statements", xapi.statements, name="statements"),
    path("activities/state", xapi.state, name="state"),
    path("activities/profile", xapi.activity_profile, name="activity_profile"),
    path("activities", xapi.activities, name="activities"),
    path("agents/profile", xapi.agent_profile, name="agent_profile"),
    path("agents", xapi.agents, name="agents"),
    path("about", xapi.about, name="about"),
]
