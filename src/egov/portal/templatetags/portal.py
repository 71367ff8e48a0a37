"""Template filters of the portal."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """An amount in đồng with thousands grouped: 135.000 ₫ (Vietnamese), 135,000 ₫ (English)."""
    if amount in (None, ""):
        return ""
    grouped = f"{int(amount):,}"
    if (get_language() or "vi").startswith("vi"):
        grouped = grouped.replace(",", ".")
    return f"{grouped}\u00a0₫"
