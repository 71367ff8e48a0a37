"""core's part of ``egov load-demo``: the government tree (central bodies, provinces, communes).

It is loaded in production too: it is the reference tree every other app's data hangs from.
"""

from __future__ import annotations


def load(write) -> None:
    from egov.core.demo import organisations as demo_orgs
    from egov.core.services.organisations import import_organisations

    central = import_organisations(demo_orgs.central_rows(), source="demo:agencies.json")
    local = import_organisations(demo_orgs.local_rows(), source="demo:vietnam-provinces")
    write(
        f"Organisations: {central.created + local.created} created, "
        f"{central.unchanged + local.unchanged} already present."
    )
