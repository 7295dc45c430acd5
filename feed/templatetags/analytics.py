from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.734 -> "73%"; None (nothing to divide by yet) -> "–"."""
    return "–" if share is None else f"{round(100 * share)}%"
