"""The signed minutes of a closed meeting, and a decided ballot's sealed tally report, sent
through the document exchange (issue 19, §2 "afterwards", §3 "the result").

The minutes (the agenda, who attended and who was represented, the quorum, each item's
speakers with their time, its votes and their counts, its conclusion and the tasks it
assigned) are rendered as a PDF, sealed by the Government Office (PAdES, as the ballots' tally
reports), then registered as an outgoing document of type BB (biên bản) and sent through the
exchange's own public services (egov.exchange.services.documents.register and .send: the
exchange numbers it, packages it as edXML, signs the package and hands it to the hub). The
recipients: every organisation given a task by a conclusion (lead and coordinators) and any
the secretariat adds. The secretariat official needs the exchange's ``documents.send`` at the
Government Office (a clerk there), as for any outgoing document.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.assignments.models import Assignment
from egov.cabinet import acts, meeting_acts
from egov.cabinet.errors import IllegalTransition
from egov.cabinet.models import Ballot, ConclusionTask, Meeting
from egov.cabinet.services import floor
from egov.cabinet.services.ballots import _secretary
from egov.cabinet.services.meetings import quorum
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.signing import sign_pdf
from egov.exchange.models import DocumentType, OfficialDocument
from egov.exchange.services import documents
from egov.exchange.services.errors import HubError


def render(meeting: Meeting) -> bytes:
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
        for part in simpleSplit(str(text), font, size, width - 100 - indent) or [""]:
            if y < 110:  # room for the seal's signature on the last page
                c.showPage()
                y = height - 50
            c.setFont(font, size)
            c.drawString(50 + indent, y, part)
            y -= size * 1.4

    q = quorum(meeting)
    attendance = meeting.attendance.select_related("member__official__user", "substitute__user")
    speakers = floor.speakers_for(meeting)
    tallies = floor.tallies_for(meeting)
    tasks: dict[int, list[Assignment]] = {}
    for row in ConclusionTask.objects.filter(conclusion__item__meeting=meeting).select_related(
        "assignment__lead", "conclusion"
    ):
        tasks.setdefault(row.conclusion.item_id, []).append(row.assignment)
    line(_("GOVERNMENT OFFICE"), 11)
    line(_("Minutes of the Government meeting no. %(number)s") % {"number": meeting.number}, 13)
    line(meeting.title, 11)
    line(f"{meeting.get_kind_display()} · {meeting.date.strftime('%d/%m/%Y')}")
    line(
        _(
            "Present %(present)s of %(n)s members, of whom %(subs)s substitutes; "
            "%(counted)s counted toward the quorum of %(needed)s."
        )  # fmt: skip
        % {
            "present": q.present,
            "n": q.n,
            "subs": q.substitutes,
            "counted": q.counted,
            "needed": q.needed,
        }
    )
    for a in attendance:
        who = f"{a.member.official.name}, {a.member.title}"
        if a.substitute_id:
            who += " — " + _("represented by %(name)s") % {"name": a.substitute.name}
        line(who, 8, indent=10)
    items = meeting.items.select_related("conclusion").order_by("position")
    for item in items:
        y -= 6
        line(f"{item.position}. {item.title}", 10)
        line(_("Presenter: %(name)s") % {"name": item.presenter}, 8, indent=10)
        if item.adopted_without_debate:
            line(_("Adopted without debate."), 8, indent=10)
        for s in speakers.get(item.pk, []):
            used = s.minutes_seconds or s.get_state_display()
            line(_("Speaker: %(name)s (%(used)s)") % {"name": s.member.official.name, "used": used},
                 8, indent=10)  # fmt: skip
        for t in (t for t in tallies.values() if t.vote.item_id == item.pk):
            line(
                _(
                    "Vote “%(q)s”: agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s of "
                    "%(n)s; substitutes not counted %(nc)s: %(outcome)s."
                )  # fmt: skip
                % {
                    "q": t.vote.question,
                    "agree": t.count.agree,
                    "disagree": t.count.disagree,
                    "abstain": t.abstain,
                    "n": t.count.n,
                    "nc": t.not_counted,
                    "outcome": t.outcome_label() or t.vote.get_status_display(),
                },
                8,
                indent=10,
            )
        conclusion = getattr(item, "conclusion", None)
        if conclusion is not None:
            line(_("Conclusion: %(text)s") % {"text": conclusion.text}, 9, indent=10)
        for task in tasks.get(item.pk, []):
            line(
                _("Task: %(content)s — lead %(lead)s, deadline %(deadline)s")
                % {
                    "content": task.content,
                    "lead": task.lead.name,
                    "deadline": task.deadline.strftime("%d/%m/%Y"),
                },
                8,
                indent=20,
            )
    c.showPage()
    c.save()
    return buf.getvalue()


def recipients_of(meeting: Meeting) -> list[Organisation]:
    """The organisations concerned: the leads and coordinators of the tasks it assigned."""
    assignments = Assignment.objects.filter(
        pk__in=ConclusionTask.objects.filter(conclusion__item__meeting=meeting).values(
            "assignment_id"
        )
    )
    leads = Organisation.objects.filter(pk__in=assignments.values("lead_id"))
    coordinators = Organisation.objects.filter(pk__in=assignments.values("coordinators"))
    return list((leads | coordinators).distinct().order_by("code"))


def _exchange(actor: Official, office: Organisation, pdf: bytes, kind: str, subject: str, to):
    """Register ``pdf`` (sealed by ``office``) as an outgoing document and send it through the
    exchange's own services; a refusal of the hub is a 400 with nothing written."""
    try:
        with transaction.atomic():
            data = documents.DocumentData(
                document_type=kind,
                subject=subject[:500],
                signer_name=actor.name,
                signer_position=office.name,
                recipients=sorted(to, key=lambda o: o.code),
            )
            doc = documents.register(office, data, pdf=pdf, actor=actor.user)
            package = documents.send(doc, actor=actor.user)
            doc.refresh_from_db()  # send() marks its own copy sent
    except HubError as exc:  # the hub refused the package: nothing of it was stored
        raise ValidationError(
            _("The document exchange refused the document: %(reason)s") % {"reason": exc.message},
            code="exchange",
        ) from None
    return doc, package


def _office(actor: Official) -> Organisation:
    office = Organisation.objects.filter(code=settings.EGOV_INSTANCE_ORG_CODE).first()
    return office or actor.organisation


def send_report(
    actor: Official, ballot: Ballot, recipients: list[Organisation]
) -> OfficialDocument:
    """Send a decided ballot's sealed tally report (egov.cabinet.services.report) through the
    exchange as a report (BC) to ``recipients``, once."""
    _secretary(actor)
    acts.check_transition(ballot, "send_report")
    office = _office(actor)
    to = {o.pk: o for o in recipients if o.pk != office.pk}
    if not to:
        raise ValidationError(
            _("Choose at least one organisation to send the report to."), code="recipients"
        )
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.report_document_id:
            raise IllegalTransition(_("The report of this ballot was already sent."), code="once")
        if not ballot.report_pdf:
            raise IllegalTransition(
                _("The tally report is not made yet: try again in a minute."), code="report"
            )
        with translation.override("vi"):
            subject = _("Tally of opinion ballot no. %(number)s") % {"number": ballot.number}
        doc, package = _exchange(
            actor, office, bytes(ballot.report_pdf), DocumentType.BC,
            f"{subject}: {ballot.title}", to.values(),
        )  # fmt: skip
        ballot.report_document = doc
        ballot.save(update_fields=["report_document"])
        audit.record(
            actor=actor.user,
            action="cabinet.report_sent",
            obj=ballot,
            summary={
                "document": doc.number_notation,
                "document_id": package.document_id,
                "recipients": sorted(o.code for o in to.values()),
            },
        )
    return doc


def send(
    actor: Official,
    meeting: Meeting,
    recipients: list[Organisation] = (),
    *,
    now: dt.datetime | None = None,
) -> OfficialDocument:
    """Seal the minutes of a closed meeting and send them through the exchange, once."""
    _secretary(actor)
    now = now or timezone.now()
    meeting_acts.check_transition(meeting, "send_minutes")
    if meeting.minutes_document_id:
        raise IllegalTransition(_("The minutes of this meeting were already sent."), code="once")
    office = _office(actor)
    to = {o.pk: o for o in [*recipients_of(meeting), *recipients]}
    to.pop(office.pk, None)  # the Government Office keeps its own copy: not a recipient
    if not to:
        raise ValidationError(
            _("Choose at least one organisation to send the minutes to."), code="recipients"
        )
    with translation.override("vi"):
        pdf = render(meeting)
        subject = _("Minutes of the Government meeting no. %(number)s: %(title)s") % {
            "number": meeting.number,
            "title": meeting.title,
        }
    signed = sign_pdf(pdf, office, reason="Biên bản phiên họp Chính phủ", field_name="Seal")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting_acts.check_transition(meeting, "send_minutes")
        if meeting.minutes_document_id:
            raise IllegalTransition(
                _("The minutes of this meeting were already sent."), code="once"
            )
        doc, package = _exchange(actor, office, signed, DocumentType.BB, subject, to.values())
        meeting.minutes_document = doc
        meeting.save(update_fields=["minutes_document"])
        audit.record(
            actor=actor.user,
            action="cabinet.meeting.minutes",
            obj=meeting,
            summary={
                "document": doc.number_notation,
                "document_id": package.document_id,
                "recipients": sorted(o.code for o in to.values()),
            },
        )
    return doc
