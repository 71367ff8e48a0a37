"""The dossier's status as a GOV.UK tag: one colour per status, the same on every page."""

from django import template
from django.utils.html import format_html

from egov.dossiers.models import Status

register = template.Library()

# Blue (no modifier) for new; warm colours where the applicant or the office must act; grey for
# the ends that gave nothing; green once the result is back.
COLOURS = {
    Status.NEW: "",
    Status.RECEIVED: "teal",
    Status.NOT_RECEIVED: "grey",
    Status.PROCESSING: "purple",
    Status.SUPPLEMENT_REQUESTED: "yellow",
    Status.FEES_DUE: "orange",
    Status.WITHDRAWN: "grey",
    Status.STOPPED: "red",
    Status.PROCESSED: "turquoise",
    Status.RESULT_RETURNED: "green",
}


@register.simple_tag
def status_tag(status, label):
    """``{% status_tag dossier.status dossier.get_status_display %}``."""
    colour = COLOURS.get(status, "grey")
    modifier = f" govuk-tag--{colour}" if colour else ""
    return format_html('<strong class="govuk-tag{}">{}</strong>', modifier, label)
