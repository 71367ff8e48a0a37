"""The dossier page's result acts: approving with a signed result, attaching a result.

Kept apart from egov.dossiers.views (its size): the approver may, in the approval act itself,
generate the result from the result template or upload an unsigned PDF, and sign it with their
personal certificate (services.sign_result: signed, attached and approved in one transaction);
attaching a result takes a signed PDF as before, or an unsigned one to sign.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.dossiers import services
from egov.dossiers.models import Dossier


def _text(request, key: str) -> str:
    return request.POST.get(key, "").strip()


def _result_name(request, dossier: Dossier) -> str:
    return _text(request, "name") or dossier.procedure_version.name[:255]


def _upload(request):
    upload = request.FILES.get("result")
    return (upload.read(), upload.name) if upload is not None else (b"", "")


def approve(request, dossier: Dossier) -> None:
    """The approval act; with ``result_source`` (template, upload) the result is signed and
    attached in the same act."""
    source = _text(request, "result_source")
    note = _text(request, "note")
    if source in {"", "none"}:
        services.approve(dossier, actor=request.user, note=note)
        return
    content, filename = _upload(request) if source == "upload" else (b"", "")
    services.sign_result(
        dossier,
        actor=request.user,
        source=source,
        name=_result_name(request, dossier),
        number=_text(request, "number"),
        decision=request.POST.get("decision", ""),
        content=content,
        filename=filename,
        approve=True,
        note=note,
    )


def attach_result(request, dossier: Dossier) -> None:
    """Attach the result: a signed PDF, or (``sign``) a PDF to sign with my certificate."""
    content, filename = _upload(request)
    if not filename:
        raise ValidationError(_("Choose the result file (a signed PDF)."))
    if request.POST.get("sign") == "1":
        services.sign_result(
            dossier,
            actor=request.user,
            source="upload",
            name=_result_name(request, dossier),
            number=_text(request, "number"),
            content=content,
            filename=filename,
        )
        return
    services.attach_result(
        dossier,
        actor=request.user,
        content=content,
        filename=filename,
        name=_result_name(request, dossier),
        number=_text(request, "number"),
    )
