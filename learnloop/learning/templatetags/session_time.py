from django import template

from learnloop.learning.models import Session
from learnloop.learning.sessions import session_when

register = template.Library()


@register.simple_tag
def session_time(session: Session) -> str:
    """When the session runs in the viewer's time zone, naming the session's own zone when it differs."""
    return session_when(session)
