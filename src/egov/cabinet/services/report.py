"""The tally report: every member's answer, its time and signature status, and the outcome per
question, as a PDF signed by the Government Office's seal (PAdES, egov.core.signing.sign_pdf).

Made by the ``cabinet.report`` outbox kind once the result is established (queued in the
deciding transaction, so within a minute with the worker running), stored on the ballot.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.cabinet import answers as answer_documents
from egov.cabinet.models import Ballot, Outcome
from egov.core.models import Organisation
from egov.core.services import audit, outbox
from egov.core.signing import sign_pdf

MAX_ATTEMPTS = 5
BACKOFF = outbox.exponential(timedelta(seconds=30))


def signature_status(answer) -> str:
    try:
        answer_documents.verify(answer.document)
    except Exception:  # ValidationError: say so in the report rather than fail it
        return _("signature NOT valid")
    return _("signature valid")


def render(ballot: Ballot) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "CabinetDejaVu"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(
            TTFont(font, str(Path(settings.EGOV_PDF_FONT_DIR) / "DejaVuSans.ttf"))
        )
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    y = height - 50

    def line(text, size=9, indent=0):
        nonlocal y
        for part in simpleSplit(text, font, size, width - 100 - indent) or [""]:
            if y < 110:  # keep room for the seal's signature on the last page
                c.showPage()
                y = height - 50
            c.setFont(font, size)
            c.drawString(50 + indent, y, part)
            y -= size * 1.4

    answers = list(
        ballot.answers.select_related(
            "member__official__user", "cast_by__user", "question"
        ).order_by("question__position", "member__rank")
    )
    line(_("GOVERNMENT OFFICE"), 11)
    line(_("Tally of opinion ballot no. %(number)s") % {"number": ballot.number}, 13)
    line(ballot.title, 11)
    local = timezone.localtime
    line(
        _("Issued %(issued)s, deadline %(due)s, result established %(decided)s.")
        % {
            "issued": local(ballot.issued_at).strftime("%d/%m/%Y %H:%M"),
            "due": local(ballot.deadline).strftime("%d/%m/%Y %H:%M"),
            "decided": local(ballot.decided_at).strftime("%d/%m/%Y %H:%M")
            if ballot.decided_at
            else "",
        }
    )
    line(_("Members of the Government: %(n)s.") % {"n": ballot.members_count})
    for question in ballot.questions.all():
        y -= 6
        rows = [a for a in answers if a.question_id == question.pk]
        counts = {k: sum(1 for a in rows if a.choice == k) for k in ("agree", "disagree", "other")}
        line(
            _("Question %(position)s: %(text)s")
            % {"position": question.position, "text": question.text},
            10,
        )
        line(
            _(
                "Agree %(agree)s, disagree %(disagree)s, other opinion %(other)s, not answered %(silent)s of %(n)s: %(outcome)s."  # noqa: E501 - one msgid
            )
            % {
                **counts,
                "silent": ballot.members_count - len(rows),
                "n": ballot.members_count,
                "outcome": Outcome(question.outcome).label if question.outcome else "",
            },
            indent=10,
        )
        for a in rows:
            who = f"{a.member.official.name}, {a.member.title}"
            if a.by_assistant:
                who += " — " + _("cast by the assistant %(name)s") % {"name": a.cast_by.name}
            line(
                f"{who}: {a.get_choice_display()}"
                + (f" ({a.text})" if a.text else "")
                + f"; {local(a.signed_at).strftime('%d/%m/%Y %H:%M')}; {signature_status(a)}",
                8,
                indent=20,
            )
    c.showPage()
    c.save()
    return buf.getvalue()


def make(ballot_id: int) -> bytes | None:
    """Render and seal the report of a decided ballot (again: the same content)."""
    ballot = Ballot.objects.select_related("issued_by__organisation").get(pk=ballot_id)
    if not ballot.decided_at:
        return None
    with translation.override("vi"):
        pdf = render(ballot)
    org = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).first()
    org = org or ballot.issued_by.organisation
    signed = sign_pdf(pdf, org, reason="Báo cáo tổng hợp phiếu lấy ý kiến", field_name="Seal")
    with transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(report_pdf=signed)
        audit.record(
            actor="system", action="cabinet.report", obj=ballot, summary={"bytes": len(signed)}
        )
    return signed


def send(message) -> None:
    make(message.payload["ballot"])


def register() -> None:
    from egov.cabinet.services.ballots import REPORT

    outbox.register(REPORT, send, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
