"""``{% category_tag category %}``: a task's category as a tag, one colour per category."""

from django import template
from django.utils.html import format_html

from egov.assignments.status import Category

register = template.Library()

COLOURS = {
    "on_time": "green",
    "late": "yellow",
    "within": "blue",
    "overdue": "red",
    "ongoing": "grey",
}


@register.simple_tag
def category_tag(category, label=None):
    if not category:
        return ""
    cat = Category(category)
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        COLOURS[cat.value],
        label or cat.label,
    )
