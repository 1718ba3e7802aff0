from django.urls import include, path

from learnloop.config.api import api
from learnloop.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("learnloop.core.urls")),
    path("accounts/", include("learnloop.accounts.urls")),
    path("people/", include("learnloop.people.urls")),
    path("skills/", include("learnloop.skills.urls")),
    path("catalog/", include("learnloop.learning.urls")),
    path("notifications/", include("learnloop.notifications.urls")),
    path("pathways/", include("learnloop.pathways.urls")),
    path("plans/", include("learnloop.plans.urls")),
    path("learning-time/", include("learnloop.learningtime.urls")),
    path("api/v1/", api.urls),
    path("xapi/", include("learnloop.lrs.urls")),
    path("learning-record/", include("learnloop.lrs.record_urls")),
]

handler403 = "learnloop.core.views.permission_denied"
handler404 = "learnloop.core.views.not_found"
handler500 = "learnloop.core.views.server_error"
