from typing import Any

from django.http import HttpRequest

from learnloop.core.navigation import items_for, menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    match = getattr(request, "resolver_match", None)
    current = match.namespace if match else ""
    items = items_for(user)
    badges = {item.key: item.badge(user) for item in items if item.badge is not None}
    return {"nav_menu": menu_for(user, items), "nav_current": current, "nav_badges": badges}
