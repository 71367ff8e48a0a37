"""Forms 01–05 of a dossier as signed PDFs. Forms 01–04 are documents handed to the applicant
(the receipt and appointment, the supplement request, the refusal, the apology): each is issued
once, kept, and the same signed bytes are given out afterwards, whatever happens to the dossier
later (a supplement moves the due time; the receipt keeps the appointment it gave). Form 05, the
control sheet, grows with every hand-off and is made afresh each time.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction

from egov.accounts import policy
from egov.dossiers.models import Dossier, FormDocument
from egov.dossiers.printed import content
from egov.dossiers.printed.pdf import render_form

from . import _common, files

ISSUED_ONCE = ("01", "02", "03", "04")


def form_pdf(dossier: Dossier, kind: str, *, actor, lookup_url: str = "") -> bytes:
    """Form ``kind`` of ``dossier``: the kept copy of an issued form, or a new one (issued and
    kept now for 01–04, with an audit row ``dossiers.form_issued``). FormError when the form does
    not exist for the dossier as it is (e.g. 03 for a received dossier). The caller has checked
    that the actor may read the dossier."""
    if kind in ISSUED_ONCE:
        kept = FormDocument.objects.filter(dossier=dossier, kind=kind).first()
        if kept is not None:
            return _read(kept)
    context = content.form_context(dossier, kind, lookup_url=lookup_url)
    pdf = render_form(kind, dossier, **context)
    if kind not in ISSUED_ONCE:
        return pdf
    stored = files.StoredFiles()
    name = stored.save(f"dossiers/{dossier.pk}/forms/mau-{kind}.pdf", pdf)
    try:
        with transaction.atomic():
            FormDocument.objects.create(
                dossier=dossier, kind=kind, file=name, created_by=_common.user_of(actor)
            )
            policy.audit(
                actor if actor is not None else "system",
                "dossiers.form_issued",
                dossier,
                organisation=dossier.organisation_id,
                summary={
                    "code": dossier.code,
                    "form": kind,
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                },
            )
    except IntegrityError:
        # Issued by a concurrent request a moment ago: give out that one.
        stored.discard()
        return _read(FormDocument.objects.get(dossier=dossier, kind=kind))
    except BaseException:
        stored.discard()
        raise
    return pdf


def _read(kept: FormDocument) -> bytes:
    with kept.file.open("rb") as handle:
        return handle.read()
