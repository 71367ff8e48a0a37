from django.conf import settings


def instance(request):
    """The organisation that runs this instance, for the page header."""
    from egov.core.models import Organisation

    name = settings.EGOV_INSTANCE_NAME
    if not name:
        org = (
            Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE, valid_to__isnull=True)
            .only("name")
            .first()
        )
        name = org.name if org else "egov"
    return {"instance_name": name}
