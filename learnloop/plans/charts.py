"""A small server-rendered SVG bar chart: how often learning was applied on the job, per item."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ROW, LABEL, BAR = 28, 260, 300


def application_bars(summary: list[dict[str, Any]], *, limit: int = 15) -> SafeString:
    """One bar per item: the share answering yes (dark) and partly (light), with a text alternative."""
    rows = summary[:limit]
    if not rows:
        return mark_safe("")
    height = ROW * len(rows) + 8
    width = LABEL + BAR + 60
    bars = []
    for index, row in enumerate(rows):
        y = 4 + index * ROW
        yes = BAR * row["yes"] / row["answers"]
        partly = BAR * row["partly"] / row["answers"]
        title = row["title"] if len(row["title"]) <= 34 else row["title"][:33] + "…"
        bars.append(
            (
                y + 18,
                title,
                LABEL,
                y + 4,
                BAR,
                LABEL,
                y + 4,
                f"{yes:.1f}",
                LABEL + yes,
                y + 4,
                f"{partly:.1f}",
                LABEL + BAR + 8,
                y + 18,
                row["rate"],
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" fill="#1f2937" font-size="13">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="18" fill="#e5e7eb"/>'
        '<rect x="{}" y="{}" width="{}" height="18" fill="#1d4ed8"/>'
        '<rect x="{}" y="{}" width="{}" height="18" fill="#93c5fd"/>'
        '<text x="{}" y="{}" fill="#1f2937" font-size="13">{}%</text>',
        bars,
    )
    label = "; ".join(f"{r['title']}: {r['rate']}% applied ({r['yes']} yes, {r['partly']} partly)" for r in rows)
    return format_html(
        '<svg class="bar-chart" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        label,
        body,
    )
