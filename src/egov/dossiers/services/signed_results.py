"""The approver signs the result: generated from the result template or uploaded unsigned, signed
with the official's personal certificate (egov.core.signing.personal, through the configured
signing service), attached, and with ``approve`` the dossier approved, in one transaction.

    services.sign_result(dossier, actor=user, source="template", name="...", decision="...",
                         approve=True, note="...")

The signature is made before the transaction: a remote-signing provider may take seconds (the
person confirms on their phone) and no row is locked meanwhile. What the acts need is checked
first without a lock (so that nothing is signed for an act that would be refused) and again
under the lock by attach_result and approve. Each act writes its own progress record and audit
row; the result's row names the certificate that signed it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.signing import holder_of
from egov.core.signing.personal import sign_pdf_as
from egov.core.signing.signer import SigningError, SigningRefused
from egov.dossiers.acts import ACTS
from egov.dossiers.errors import DossierError, IllegalTransition, UploadRejected
from egov.dossiers.models import Dossier, Result, related
from egov.dossiers.printed.result import SIGNATURE_BOX, render_result

from . import _common, files
from .lifecycle import approve as approve_dossier
from .results import attach_result

SOURCES = ("template", "upload")


def sign_result(
    dossier: Dossier,
    *,
    actor,
    source: str,
    name: str,
    number: str = "",
    decision: str = "",
    content: bytes = b"",
    filename: str = "",
    approve: bool = False,
    note: str = "",
) -> Result:
    """Make the result PDF (``source`` "template": from ``decision``; "upload": ``content``, an
    unsigned or already signed PDF), sign it as ``actor`` (an official), attach it and, with
    ``approve``, approve the dossier: all or nothing. ValidationError (Vietnamese) for bad
    input, PermissionDenied when the act or the certificate is refused."""
    name = (name or "").strip()
    if source not in SOURCES:
        raise ValidationError({"source": [_("Choose how to make the result.")]})
    if not name:
        raise ValidationError({"name": [_("Give the result's name.")]})
    _precheck(dossier, actor, approve)
    holder = holder_of(_common.user_of(actor))
    if source == "template":
        decision = (decision or "").strip()
        if not decision:
            raise ValidationError({"decision": [_("Write the text of the decision.")]})
        pdf, box = (
            render_result(dossier, name=name, number=number, decision=decision),
            SIGNATURE_BOX,
        )
    else:
        if not content:
            raise UploadRejected({"file": [_("Choose the result file (a PDF).")]})
        pdf, box = files.check(content, filename, "application/pdf").data, None
    try:
        signed = sign_pdf_as(
            pdf,
            holder,
            reason=f"Ký kết quả hồ sơ {dossier.code}",
            location=dossier.organisation.name,
            box=box,
        )
    except SigningRefused as exc:
        raise PermissionDenied(exc.message) from None
    except SigningError as exc:
        raise UploadRejected({"file": [exc.message]}) from None
    result = None
    try:
        with transaction.atomic():
            result = attach_result(
                dossier,
                actor=actor,
                content=signed,
                filename=f"{dossier.code}-ket-qua.pdf",
                name=name,
                number=number,
                signed_by=holder.id,
            )
            if approve:
                approve_dossier(dossier, actor=actor, note=note)
    except BaseException:
        if result is not None:  # its row is rolled back: the file goes too
            result.file.storage.delete(result.file.name)
        raise
    return result


def _precheck(dossier: Dossier, actor, approve: bool) -> None:
    """The acts' checks before signing, without a lock (repeated under it by the acts)."""
    _common.authorise(actor, dossier, "attach_result")
    if dossier.status not in ACTS["attach_result"].sources:
        raise IllegalTransition(
            _("A result can be attached only while processing or once processed."),
            code="illegal_transition",
        )
    if related(dossier, "result") is not None or Result.objects.filter(dossier=dossier).exists():
        raise DossierError(_("This dossier already has a result."), code="result_exists")
    if approve:
        _common.authorise(actor, dossier, "approve")
        _common.check_transition(dossier, "approve")
