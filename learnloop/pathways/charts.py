"""The assignment overview as one stacked bar: server-rendered SVG with a text alternative."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# (state, label, fill); colours keep 3:1 contrast against white and each other's neighbours.
SEGMENTS = [
    ("done", "Done", "#1a7f37"),
    ("in_progress", "In progress", "#0969da"),
    ("todo", "Not started", "#8c959f"),
    ("overdue", "Overdue", "#cf222e"),
]


def status_bar(counts: dict[str, int], *, width: int = 480, height: int = 28) -> SafeString:
    total = sum(counts.values())
    if not total:
        return mark_safe("")
    label = ", ".join(f"{counts[key]} {text.lower()}" for key, text, _ in SEGMENTS)
    parts = []
    x = 0.0
    for key, text, colour in SEGMENTS:
        share = counts[key] / total * width
        if share:
            parts.append((f"{x:.1f}", f"{share:.1f}", height, colour, f"{text}: {counts[key]}"))
        x += share
    rects = format_html_join("", '<rect x="{}" y="0" width="{}" height="{}" fill="{}"><title>{}</title></rect>', parts)
    return format_html(
        '<svg class="status-bar" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{} people: {}">'
        "{}</svg>",
        width,
        height,
        width,
        height,
        total,
        label,
        rects,
    )
