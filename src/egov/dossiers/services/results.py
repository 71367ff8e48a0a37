"""The result of a dossier and the applicant's data store."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.signing import verify_pdf
from egov.dossiers.acts import ACTS
from egov.dossiers.errors import DossierError, IllegalTransition, UploadRejected
from egov.dossiers.models import CitizenDataStoreEntry, Dossier, Result

from . import _common, files


def attach_result(
    dossier: Dossier,
    *,
    actor,
    content: bytes,
    filename: str,
    name: str,
    number: str = "",
    to_data_store: bool = True,
    signed_by: str = "",
) -> Result:
    """Attach the electronic result while processing or processed: a PDF (checked by content)
    with a valid signature of a certificate we trust (egov.core.signing.verify_pdf), else
    UploadRejected (field ``file``); with ``to_data_store`` the applicant's
    CitizenDataStoreEntry is written too. Once per dossier. Scope ``dossiers.process`` or
    ``dossiers.approve``. ``signed_by``: the holder whose personal signature the platform just
    made (egov.dossiers.services.signed_results), recorded in the audit row."""
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the result's name.")]})
    checked = files.check(content, filename, "application/pdf")
    if not verify_pdf(checked.data).valid:
        raise UploadRejected(
            {
                "file": [
                    _("The result must be a PDF with a valid signature of a trusted certificate.")
                ]
            }
        )
    stored = files.StoredFiles()
    try:
        with transaction.atomic():
            dossier = _common.lock(dossier)
            decision = _common.authorise(actor, dossier, "attach_result")
            if dossier.status not in ACTS["attach_result"].sources:
                raise IllegalTransition(
                    _("A result can be attached only while processing or once processed."),
                    code="illegal_transition",
                )
            if Result.objects.filter(dossier=dossier).exists():
                raise DossierError(_("This dossier already has a result."), code="result_exists")
            now = timezone.now()
            result = Result(
                dossier=dossier,
                name=name.strip()[:255],
                number=number or "",
                result_code=_result_code(dossier),
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                signed=True,
                attached_at=now,
                attached_by=_common.user_of(actor),
            )
            result.file.name = stored.save(
                f"dossiers/{dossier.pk}/result/{checked.filename}", checked.data
            )
            result.save()
            if to_data_store and (
                dossier.applicant_citizen_id or dossier.applicant_kind == "business"
            ):
                CitizenDataStoreEntry.objects.create(
                    citizen_id=dossier.applicant_citizen_id,
                    tax_code=dossier.applicant_id_number
                    if dossier.applicant_kind == "business"
                    else "",
                    name=result.name,
                    result_code=result.result_code,
                    file=result.file.name,
                    content_type=result.content_type,
                    sha256=result.sha256,
                    source_dossier=dossier,
                    issued_at=now,
                )
            _common.record(
                dossier,
                actor=actor,
                act="attach_result",
                from_status=dossier.status,
                note=result.name,
                decision=decision,
                summary={"sha256": result.sha256, "signed": True}
                | ({"signed_by": signed_by} if signed_by else {}),
                at=now,
            )
    except BaseException:
        stored.discard()
        raise
    return result


def _result_code(dossier: Dossier) -> str:
    results = dossier.procedure_version.results or []
    first = results[0] if results else {}
    return str(first.get("code", ""))[:64] if isinstance(first, dict) else ""
