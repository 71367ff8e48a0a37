from django.conf import settings
from django.core.cache import cache


def _instance_name() -> str:
    from egov.core.models import Organisation

    org = (
        Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE, valid_to__isnull=True)
        .only("name")
        .first()
    )
    return org.name if org else "egov"


def instance(request):
    """The organisation that runs this instance, for the page header (cached: on every page)."""
    name = settings.EGOV_INSTANCE_NAME or cache.get_or_set(
        "egov:instance-name", _instance_name, timeout=300
    )
    return {"instance_name": name}
