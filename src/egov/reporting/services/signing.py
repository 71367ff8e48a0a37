"""Signing a submission: the report PDF is generated from its values and signed (PAdES B-B)
by a signer of the reporting organisation with their personal certificate, through the signing
service (egov.core.signing.personal, as a dossier's result is signed); the signed PDF and its
SHA-256 go into one row and one audit row of the chain, in one transaction.

The organisation's signer is an official *of that organisation* who may submit its reports
(``reports.submit`` on it): the certificate names the organisation, so an official of the
province who holds the scope over a commune does not sign the commune's report.

The PDF is made and signed before the transaction (a remote-signing provider may take seconds);
under the lock the submission must still be the version that was signed, else nothing is kept.
"""

from __future__ import annotations

import hashlib
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from egov.accounts import policy
from egov.accounts.models import Official
from egov.accounts.signing import holder_of_official
from egov.core.services import audit
from egov.core.signing.personal import sign_pdf_as
from egov.core.signing.signer import SigningError, SigningRefused

# The one-stop shop's PDF layout (Vietnamese fonts, the national heading, the grid).
from egov.dossiers.printed.layout import font_dir, grid, make_styles, para, register_fonts

from .. import scopes
from ..models import Revision, Submission, SubmissionSignature
from . import rules
from .submissions import version_of
from .xlsx import period_label


def signer_of(actor, submission: Submission) -> Official:
    """The official who signs for ``actor``; PermissionDenied (Vietnamese) for anyone else."""
    policy.check(actor, scopes.SUBMIT, submission)
    user = policy.actor_of(actor)
    official = (
        Official.objects.select_related("organisation", "user").filter(user=user).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if official is None or official.organisation_id != submission.organisation_id:
        raise PermissionDenied(
            _("Only an official of the reporting organisation signs its report.")
        )
    return official


def render(submission: Submission) -> bytes:
    """The report of ``submission`` as an unsigned A4 PDF, in Vietnamese."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    register_fonts(str(font_dir()))
    styles = make_styles(10)
    regime, organisation = submission.regime, submission.organisation
    values = submission.values.select_related("indicator").order_by("indicator__key", "pk")
    buf = io.BytesIO()
    with translation.override("vi"):
        period = period_label(regime, submission.year, submission.number)
        title = f"{regime.name} · {period}"
        doc = SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            # The visible signature goes bottom right of the last page: the text stops above it.
            bottomMargin=42 * mm,
            title=title,
            author=organisation.name,
            creator="egov",
            lang="vi-VN",
        )
        width = A4[0] - 35 * mm
        when = timezone.localtime(submission.submitted_at)
        rows = [
            [
                _("No."),
                pgettext("report", "Indicator"),
                _("Breakdown"),
                pgettext("report", "Unit"),
                _("Value"),
            ]
        ]
        for number, value in enumerate(values, 1):
            rows.append(
                [
                    number,
                    value.indicator.name,
                    value.disaggregation,
                    value.indicator.unit,
                    rules.figure(value.value),
                ]
            )
        story = [
            para(organisation.name.upper(), styles["head_center_bold"]),
            para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["head_center_bold"]),
            para("Độc lập - Tự do - Hạnh phúc", styles["head_center"]),
            Spacer(1, 3 * mm),
            para(f"Ngày {when:%d} tháng {when:%m} năm {when:%Y}", styles["right"]),
            para(_("REPORT"), styles["title"]),
            para(regime.name, styles["center_bold"]),
            para(_("Reporting period: %(period)s") % {"period": period}, styles["center"]),
            Spacer(1, 4 * mm),
            grid(rows, [width * f for f in (0.07, 0.45, 0.16, 0.16, 0.16)], styles),
        ]
        if submission.warnings:
            story.append(Spacer(1, 3 * mm))
            story.append(para(_("Warnings confirmed by the reporter:"), styles["body"]))
            story += [para(f"- {w['message']}", styles["small"]) for w in submission.warnings]
        doc.build(story)
    return buf.getvalue()


def sign(submission: Submission, *, actor) -> SubmissionSignature:
    """Generate, sign and record the report PDF of ``submission`` as ``actor``."""
    official = signer_of(actor, submission)
    holder = holder_of_official(official)
    version, revision = version_of(submission)
    try:
        signed = sign_pdf_as(
            render(submission),
            holder,
            reason=_("Report signed: %(regime)s") % {"regime": submission.regime.name},
            location=submission.organisation.name,
        )
    except SigningRefused as exc:
        raise PermissionDenied(exc.message) from None
    except SigningError as exc:
        raise ValidationError(exc.message) from None
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if version_of(locked) != (version, revision):
            raise ValidationError(_("The report was sent again while it was being signed."))
        signature = SubmissionSignature.objects.create(
            submission=locked,
            version=version,
            revision=revision,
            signed_by=official.user,
            holder=holder.id,
            signed_at=timezone.now(),
            pdf=signed,
            sha256=digest,
        )
        audit.record(
            actor=official.user,
            action="reporting.signed",
            obj=locked,
            organisation=locked.organisation,
            summary={
                "signature": signature.pk,
                "holder": holder.id,
                "sha256": digest,
                "version": version.isoformat(),
                "revision": revision,
            },
        )
    return signature


def current_signature(submission: Submission) -> SubmissionSignature | None:
    """The signature of the version sent last and its revisions so far, if it is signed (a
    correction of approved values changes the report the PDF shows)."""
    return (
        SubmissionSignature.objects.filter(
            submission=submission,
            version=submission.submitted_at,
            revision=submission.revisions.count(),
        )
        .defer("pdf")
        .first()
    )


def current_signatures(submissions_by_pk: dict, model) -> dict:
    """{submission pk: its current signature} for many submissions, in one query: the
    signature of the version sent last and of its revisions so far (a correction of approved
    values makes the document before it stale, though the version stays). ``model``:
    SubmissionSignature (the PDF) or DataSignature (the XML), which keep both."""
    revisions = (
        Revision.objects.filter(submission=OuterRef("submission"))
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        model.objects.filter(submission__in=list(submissions_by_pk))
        .annotate(revisions_now=Coalesce(Subquery(revisions), 0))
        .defer("pdf" if model is SubmissionSignature else "document")
    )
    found = {}
    for signature in rows:
        submission = submissions_by_pk[signature.submission_id]
        if (
            signature.version == submission.submitted_at
            and signature.revision == signature.revisions_now
            and submission.pk not in found
        ):
            found[submission.pk] = signature
    return found
