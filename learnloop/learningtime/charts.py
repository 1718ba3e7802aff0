"""Planned vs used learning time per week as a server-rendered SVG bar chart, with a text alternative."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from learnloop.learningtime.selectors import Week

PLANNED_COLOUR = "#9bb7d4"
USED_COLOUR = "#1f5f99"
BUDGET_COLOUR = "#b3261e"


def hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def weekly_chart(weeks: Sequence[Week], *, height: int = 180, slot: int = 52) -> SafeString:
    """Two bars per week (planned, used) and the week's budget as a line across its slot."""
    if not weeks:
        return mark_safe("")
    top_value = max(max(w.planned, w.used, w.budget) for w in weeks) or 60
    top_value = int(top_value * 1.15)
    chart_h, left, bottom = height - 28, 36, height - 24
    width = left + slot * len(weeks) + 8

    def y(minutes: int) -> str:
        # format_html escapes its arguments into strings, so numbers are formatted here.
        return f"{bottom - minutes / top_value * (chart_h - 8):.1f}"

    def height_of(minutes: int) -> str:
        return f"{minutes / top_value * (chart_h - 8):.1f}"

    parts = []
    for i, week in enumerate(weeks):
        x = left + i * slot
        label = f"Week of {week.start:%d %b}: planned {hours(week.planned)}, used {hours(week.used)}"
        parts.append(
            format_html(
                "<g><title>{}</title>"
                '<rect x="{}" y="{}" width="18" height="{}" fill="{}"/>'
                '<rect x="{}" y="{}" width="18" height="{}" fill="{}"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="4 2"/>'
                "</g>",
                label,
                x + 6,
                y(week.planned),
                height_of(week.planned),
                PLANNED_COLOUR,
                x + 26,
                y(week.used),
                height_of(week.used),
                USED_COLOUR,
                x + 2,
                x + slot - 4,
                y(week.budget),
                y(week.budget),
                BUDGET_COLOUR,
            )
        )
        if i % 2 == len(weeks) % 2 or i == len(weeks) - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="currentColor" text-anchor="middle">{}</text>',
                    f"{x + slot / 2:.1f}",
                    height - 8,
                    f"{week.start:%d %b}",
                )
            )
    axis = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" fill="currentColor" text-anchor="end">{}</text>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-opacity="0.2"/>',
        (
            (left - 4, f"{float(y(v)) + 4:.1f}", f"{v // 60}h", left, width - 8, y(v), y(v))
            for v in range(0, top_value + 1, max(60, (top_value // 4) // 60 * 60 or 60))
        ),
    )
    latest = weeks[-1]
    summary = (
        f"Learning time per week for the last {len(weeks)} weeks. This week: planned {hours(latest.planned)}, "
        f"used {hours(latest.used)}, budget {hours(latest.budget)}."
    )
    return format_html(
        '<svg class="learning-time-chart" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        "{}{}</svg>",
        width,
        height,
        width,
        height,
        summary,
        axis,
        mark_safe("".join(parts)),  # noqa: S308 - every part was built with format_html
    )
