import time

from django.conf import settings

# Per-process memo (not the shared cache, which may be the database): the header shows it on
# every page and it changes only when the instance's organisation is renamed.
_MEMO: dict[str, tuple[float, str]] = {}
_TTL_SECONDS = 300


def _instance_name() -> str:
    from egov.core.models import Organisation

    org = (
        Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE, valid_to__isnull=True)
        .only("name")
        .first()
    )
    return org.name if org else "egov"


def instance(request):
    """The organisation that runs this instance, for the page header, and whether this is a
    development or test installation (the phase banner says so)."""
    trial = settings.ENV != "production"
    if settings.EGOV_INSTANCE_NAME:
        return {"instance_name": settings.EGOV_INSTANCE_NAME, "trial": trial}
    code = settings.EGOV_INSTANCE_ORG_CODE
    cached = _MEMO.get(code)
    if cached is None or cached[0] < time.monotonic():
        cached = (time.monotonic() + _TTL_SECONDS, _instance_name())
        _MEMO[code] = cached
    return {"instance_name": cached[1], "trial": trial}


def instance_without_database() -> dict:
    """``instance`` for the 500 page: the name configured or remembered, never read (the
    database may be what failed)."""
    trial = settings.ENV != "production"
    cached = _MEMO.get(settings.EGOV_INSTANCE_ORG_CODE)
    name = settings.EGOV_INSTANCE_NAME or (cached[1] if cached else "egov")
    return {"instance_name": name, "trial": trial}
