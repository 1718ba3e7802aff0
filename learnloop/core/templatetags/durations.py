"""How long something takes, said the way people say it. A built-in filter (settings.TEMPLATES), so every
template shows durations the same way without loading anything."""

from django import template

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes as people say them: "45 min", "2 h", "1 h 30 min"."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
