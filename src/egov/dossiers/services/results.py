"""The result of a dossier and the applicant's data store."""

from __future__ import annotations

from egov.dossiers.models import Dossier, Result


def attach_result(
    dossier: Dossier,
    *,
    actor,
    content: bytes,
    filename: str,
    name: str,
    number: str = "",
    signed: bool = False,
    to_data_store: bool = True,
) -> Result:
    """Attach the electronic result (a PDF, checked by content) while processing or processed;
    with ``to_data_store`` the applicant's CitizenDataStoreEntry is written too. Once per
    dossier. Scope ``dossiers.process`` or ``dossiers.approve``."""
    raise NotImplementedError
