"""The learning record's activity per month as a small server-rendered SVG bar chart, with a text
alternative that reads every month, like the skills and learning-time charts."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from learnloop.lrs.record import MonthCount

BAR_COLOUR = "#1f5f99"


def _events(count: int) -> str:
    return f"{count} event{'s' if count != 1 else ''}"


def activity_chart(months: Sequence[MonthCount], *, slot: int = 26, height: int = 120) -> SafeString:
    """A bar per month, its count above it and the month's initial below (the year where it starts)."""
    if not months or not any(m.count for m in months):
        return mark_safe("")
    top = max(m.count for m in months)
    left, bar_top, bottom = 4, 16, height - 30
    width = left * 2 + slot * len(months)

    def bar_height(count: int) -> float:
        return (bottom - bar_top) * count / top

    bars = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>{}</g>',
        (
            (
                date_format(m.month, "F Y"),
                _events(m.count),
                f"{left + i * slot + 4:.1f}",
                f"{bottom - bar_height(m.count):.1f}",
                slot - 8,
                f"{bar_height(m.count):.1f}",
                BAR_COLOUR,
                f"{left + i * slot + slot / 2:.1f}",
                f"{bottom - bar_height(m.count) - 3:.1f}",
                m.count if m.count else "",
                f"{left + i * slot + slot / 2:.1f}",
                bottom + 13,
                date_format(m.month, "M"),
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
                    f"{left + i * slot + slot / 2:.1f}",
                    bottom + 26,
                    m.month.year,
                )
                if i == 0 or m.month.month == 1
                else "",
            )
            for i, m in enumerate(months)
        ),
    )
    summary = (
        f"Learning events per month, {date_format(months[0].month, 'F Y')} to {date_format(months[-1].month, 'F Y')}: "
        + "; ".join(f"{date_format(m.month, 'F Y')}: {m.count}" for m in months)
        + "."
    )
    return format_html(
        '<svg class="record-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}">'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/>{}</svg>',
        summary,
        left,
        width - left,
        bottom,
        bottom,
        bars,
        w=width,
        h=height,
    )
