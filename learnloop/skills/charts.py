"""Small server-rendered SVG charts: no JavaScript, no external service, readable by screen readers."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def sparkline(
    points: list[tuple[dt.datetime, float]], *, top: int = 5, width: int = 120, height: int = 28
) -> SafeString:
    """A line of a skill's calibrated level over time, with a text alternative."""
    if len(points) < 2:
        return mark_safe("")
    start, end = points[0][0].timestamp(), points[-1][0].timestamp()
    span = max(end - start, 1.0)
    coords = " ".join(
        f"{(moment.timestamp() - start) / span * (width - 4) + 2:.1f},{height - 2 - level / top * (height - 4):.1f}"
        for moment, level in points
    )
    label = f"From {points[0][1]:.1f} on {points[0][0]:%Y-%m-%d} to {points[-1][1]:.1f} on {points[-1][0]:%Y-%m-%d}"
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2"/></svg>',
        width,
        height,
        width,
        height,
        label,
        coords,
    )
