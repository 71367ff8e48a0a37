"""petitions' part of ``egov load-demo`` (after the logins): an official of the centre (the
instance's organisation) who receives, forwards and publishes petitions. The commune's demo
officials already handle and answer them through their roles' grants."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, demo_official

DEMO_CENTRE_OFFICIAL = ("pakn", ("Vũ Thị", "Mai"), "Chuyên viên tiếp nhận phản ánh, kiến nghị")


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo petition officials were created.")
        return
    made = _centre_official()
    if made:
        write(
            f"  official       /accounts/login/  user {DEMO_CENTRE_OFFICIAL[0]}"
            f"  password {DEMO_OFFICIAL_PASSWORD}  (petitions centre: {made})"
        )


@transaction.atomic
def _centre_official() -> str:
    from egov.core.models import Organisation

    centre = (
        Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).order_by("-pk").first()
    )
    if centre is None:
        return ""
    username, names, title = DEMO_CENTRE_OFFICIAL
    demo_official(username, names, title, centre, ("desk", "approver"))
    return f"{centre.name} {centre.code}"
