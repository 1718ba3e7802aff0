"""Small server-rendered SVG charts: no JavaScript, no external service, readable by screen readers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Room for the level labels on the left and the dates underneath.
LEFT, RIGHT, TOP, BOTTOM = 18, 8, 6, 18
LABEL_HEIGHT = 10  # the labels' font size (app.css .level-chart .chart-label)
HEAT_SHADES = 5  # app.css colours the team matrix in .heat-1 (lightest) to .heat-5 (darkest)


def level_history(
    points: list[tuple[dt.datetime, float]], *, skill: str, top: int = 5, width: int = 240, height: int = 96
) -> SafeString:
    """A skill's calibrated level over time: levels 1 to `top` up the side, the first and last dates (and
    one between when there is room) along the bottom, a dot per rating, and a text alternative that reads
    every point, so the chart says the same to a screen reader as to the eye."""
    if len(points) < 2:
        return mark_safe("")
    start, end = points[0][0].timestamp(), points[-1][0].timestamp()
    span = max(end - start, 1.0)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(moment: dt.datetime) -> float:
        return LEFT + (moment.timestamp() - start) / span * plot_w

    def y(level: float) -> float:
        return TOP + plot_h - (level - 1) / max(top - 1, 1) * plot_h

    # A grid line per level; a label on every level while they are at least a label's height apart.
    step = 1 if plot_h / max(top - 1, 1) >= LABEL_HEIGHT else 2
    levels = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/>{}',
        (
            (
                LEFT,
                width - RIGHT,
                f"{y(level):.1f}",
                f"{y(level):.1f}",
                format_html(
                    '<text x="{}" y="{}" dy="3" text-anchor="end" class="chart-label">{}</text>',
                    LEFT - 5,
                    f"{y(level):.1f}",
                    level,
                )
                if (level - 1) % step == 0
                else "",
            )
            for level in range(1, top + 1)
        ),
    )
    ticks = [(points[0][0], "start"), (points[-1][0], "end")]
    if span > 60 * 86400 and plot_w >= 180:
        ticks.insert(1, (dt.datetime.fromtimestamp(start + span / 2, tz=dt.UTC), "middle"))
    dates = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" class="chart-label">{}</text>',
        ((f"{x(moment):.1f}", height - 4, anchor, _short_date(moment)) for moment, anchor in ticks),
    )
    line = " ".join(f"{x(moment):.1f},{y(level):.1f}" for moment, level in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5"><title>{}: {}</title></circle>',
        ((f"{x(moment):.1f}", f"{y(level):.1f}", _long_date(moment), f"{level:.1f}") for moment, level in points),
    )
    summary = (
        f"{skill}: calibrated level from {points[0][1]:.1f} on {_long_date(points[0][0])} "
        f"to {points[-1][1]:.1f} on {_long_date(points[-1][0])}, on a scale of 1 to {top}."
    )
    every_point = "; ".join(f"{_long_date(moment)}: {level:.1f}" for moment, level in points)
    return format_html(
        '<svg class="level-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}">'
        "<desc>Level after each rating: {}.</desc>{}{}"
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2"/><g class="chart-dots">{}</g></svg>',
        summary,
        every_point,
        levels,
        dates,
        line,
        dots,
        w=width,
        h=height,
    )


def _short_date(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j M y")


def _long_date(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def heat_shade(level: float | None, *, top: int) -> str:
    """The team matrix's colour class for a calibrated level: "none" when unrated, else 1 (the scale's
    bottom) to 5 (its top) whatever the number of levels, so the darkest cell is always the top."""
    if level is None:
        return "none"
    place = (min(max(level, 1.0), float(top)) - 1) / max(top - 1, 1)
    return str(1 + int(place * (HEAT_SHADES - 1) + 0.5))
