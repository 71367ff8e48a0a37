"""``{{ value|figure }}``: a score or rate with two decimals in the reader's language, or N/A."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(value, places=2):
    if value is None or value == "":
        return _("N/A")
    return floatformat(value, places)


@register.filter
def whole(value):
    """Counts: no decimals when whole (3, not 3,00)."""
    if value is None:
        return _("N/A")
    return floatformat(value, -2)


@register.filter
def bar_percent(value, maximum):
    """A bar's length in percent of the group's maximum (the table behind a chart)."""
    if value is None or not maximum:
        return 0
    return round(float(value) * 100 / float(maximum), 1)
