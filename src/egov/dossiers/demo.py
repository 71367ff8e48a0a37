"""dossiers' part of ``egov load-demo``: workflow steps for the demo catalogue.

The catalogue's files describe procedures, not how an agency processes them; without steps the
specialist has nothing to forward a dossier to. The versions in force of the detailed procedures
done at a commune (those the demo's commune one-stop team handles: 27 of the 39, e.g. 1.001193
birth registration) get the usual four steps, where a version has none: a second run, or steps
defined since in the admin, are left as they are.
"""

from __future__ import annotations

from egov.catalog.models import Procedure, ProcedureStatus


def load(write) -> None:
    from egov.catalog.models import ProcedureVersion
    from egov.dossiers.services import steps

    # Procedure.levels is "commune province" (space separated, no level name part of another).
    current = Procedure.objects.filter(
        status=ProcedureStatus.ACTIVE,
        detailed=True,
        levels__contains="commune",
        current_version__isnull=False,
    ).values("current_version_id")
    versions = list(ProcedureVersion.objects.filter(pk__in=current).only("pk"))
    added = steps.add_usual_steps(versions, actor="system", summary={"demo": True})
    write(
        f"Workflow steps: the usual {len(steps.USUAL_STEPS)} for {added} procedure versions, "
        f"{len(versions) - added} already had steps."
    )
