"""Application: a dossier, its form data and its files in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from egov.dossiers.models import Dossier


@dataclass
class Upload:
    """One file as received: content (bytes or a Django File), the name and the declared type."""

    content: object
    filename: str
    declared_type: str
    required_document_id: int | None = None
    name: str = ""
    digitised: bool = True


@dataclass
class Reuse:
    """A component taken from the applicant's data store instead of an upload."""

    entry_id: int
    required_document_id: int | None = None


@dataclass
class ApplicantData:
    """The applicant as printed on the forms; ``id_number`` is the 12-digit ID or the tax code."""

    name: str
    id_number: str
    kind: str = "citizen"
    email: str = ""
    phone: str = ""
    address: str = ""
    extra: dict = field(default_factory=dict)


def submit_online(
    *,
    actor,
    procedure_version,
    organisation,
    form_data: dict,
    uploads: list[Upload] = (),
    reuse: list[Reuse] = (),
    applicant: ApplicantData | None = None,
    citizen=None,
) -> Dossier:
    """A citizen's (or an integration's) online application: status 1 new.

    Validates ``form_data`` with the version's schema (egov.catalog.forms.clean_submission),
    checks each upload by content (PDF/JPEG/PNG magic bytes), size (EGOV_DOSSIER_MAX_FILE_BYTES)
    and declared type, draws the code ``<org code>-<YYMMDD>-<NNNN>``, stores the files, and writes
    the dossier, its components, a ProgressRecord and the audit row in one transaction. The
    channel is the version's online channel (ValidationError if it has none). ``citizen``
    defaults to the actor's Citizen; ``applicant`` defaults to the citizen's details.
    """
    raise NotImplementedError


def register_in_person(
    *,
    actor,
    procedure_version,
    organisation,
    applicant: ApplicantData,
    form_data: dict,
    uploads: list[Upload] = (),
    citizen=None,
    receive: bool = True,
) -> Dossier:
    """A one-stop desk official registers a walk-in applicant's dossier (in-person channel).

    Same checks as ``submit_online``; needs ``dossiers.receive`` at ``organisation``. With
    ``receive`` (default) the dossier is received in the same transaction (status 2, due time
    fixed), else it stays 1 new.
    """
    raise NotImplementedError
