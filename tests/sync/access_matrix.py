"""The status sync's part of the access matrix (tests/accounts/test_access_matrix.py).

The national side's wire calls (``sync/session``, ``sync/service``), the lookup and the figures
are not object endpoints: the first two authenticate with the province's session in the body
(tests/sync/test_ingest.py), the other two are public."""

from __future__ import annotations

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.dossiers.models import Dossier

from ..dossiers import core_matrix


def _failed_sync_case(t):
    """A failed sync of a dossier of commune A: A's officials send it again; B's and another
    province's do not see it."""
    case = core_matrix._case(lambda d: d)(t)
    dossier = Dossier.objects.get(code=case["id"])
    row = outbox.add("sync.dossier", {"dossier": dossier.pk, "progress": "all"}, key="matrix")
    OutboxMessage.objects.filter(pk=row.pk).update(state="failed", last_error="-1: matrix")
    return {**case, "id": row.pk, "scopes": ["sync.read", "sync.retry"], "body": {}}


CASES = {("/api/v1/sync/failures/{id}/retry/", "post"): _failed_sync_case}
