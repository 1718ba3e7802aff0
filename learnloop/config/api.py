"""The REST API at /api/v1/: every domain's router mounted on one NinjaAPI."""

from ninja import NinjaAPI
from ninja.security import SessionAuth

from learnloop import __version__
from learnloop.accounts.api import router as accounts_router
from learnloop.core.api import JSONRenderer, TokenAuth, install_error_handlers
from learnloop.core.api_routes import router as audit_router
from learnloop.learning.api import router as learning_router
from learnloop.learningtime.api import router as learningtime_router
from learnloop.lrs.api import router as lrs_router
from learnloop.notifications.api import router as notifications_router
from learnloop.pathways.api import router as pathways_router
from learnloop.people.api import router as people_router
from learnloop.plans.api import router as plans_router
from learnloop.skills.api import router as skills_router

api = NinjaAPI(
    title="learnloop API",
    version=f"v1 ({__version__})",
    description=(
        "Authenticate with a personal API token (`Authorization: Bearer ll_...`) or a signed-in browser "
        'session. Every error has the body `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=JSONRenderer(),
)
install_error_handlers(api)
api.add_router("", people_router)
api.add_router("", accounts_router)
api.add_router("", audit_router)
api.add_router("", lrs_router)
api.add_router("", skills_router)
api.add_router("", learning_router)
api.add_router("", notifications_router)
api.add_router("", pathways_router)
api.add_router("", plans_router)
api.add_router("", learningtime_router)
