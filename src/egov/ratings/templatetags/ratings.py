"""{% rating_section dossier %}: the satisfaction rating part of the citizen's dossier page (the
portal's), shown to the dossier's applicant once the result is returned: a link to rate, or the
rating given and until when it can be changed."""

from django import template
from django.utils import timezone

from egov.dossiers.models import Status
from egov.ratings import services

register = template.Library()


@register.inclusion_tag("ratings/_dossier_rating.html", takes_context=True)
def rating_section(context, dossier):
    request = context.get("request")
    user = getattr(request, "user", None)
    citizen = None
    if dossier.status == Status.RESULT_RETURNED:
        citizen = services.applicant_of(user, dossier)
    rating = services.rating_of(dossier, citizen) if citizen else None
    return {
        "dossier": dossier,
        "show": citizen is not None,
        "rating": rating,
        "changeable": rating is not None and timezone.now() < rating.frozen_at,
    }
