from typing import Any

from django.http import HttpRequest

from learnloop.core.navigation import current_group, items_for, menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    match = getattr(request, "resolver_match", None)
    items = items_for(user)
    menu = menu_for(user, items)
    badges = {item.key: item.badge(user) for item in items if item.badge is not None}
    current = current_group(menu, view_name=match.view_name, namespace=match.namespace) if match else ""
    return {"nav_menu": menu, "nav_current": current, "nav_badges": badges}
