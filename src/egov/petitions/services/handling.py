"""The acts on a received petition (the act table: egov.petitions.acts), one function each, one
transaction each, one audit row each; deadlines from egov.petitions.deadlines."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.models import Organisation
from egov.core.text import fold
from egov.dossiers.services.files import StoredFiles
from egov.petitions import deadlines
from egov.petitions.errors import PetitionError
from egov.petitions.models import Petition, Status
from egov.petitions.services import peers, public
from egov.petitions.services._common import begin, finish, required
from egov.petitions.services.answer_pdf import render_answer
from egov.petitions.services.submission import _checked, attach

MAX_ANSWER = 20_000


@transaction.atomic
def forward(actor, petition, *, to_organisation: Organisation, note: str = ""):
    """The centre forwards it to the competent organisation: the answer clock restarts."""
    petition, target = begin(actor, petition, "forward")
    if to_organisation is None:
        raise PetitionError(
            {"to_organisation": [_("Choose the organisation to forward it to.")]}, code="required"
        )
    if to_organisation.pk == petition.organisation_id:
        raise PetitionError(
            {"to_organisation": [_("The petition is already at this organisation.")]},
            code="same_organisation",
        )
    now = timezone.now()
    source = petition.organisation
    petition.organisation = to_organisation
    petition.status = target
    deadlines.start_answer_clock(petition, now)
    finish(
        actor,
        petition,
        "forward",
        now=now,
        note=note.strip(),
        from_organisation=source,
        summary={"to": to_organisation.code},
    )
    # To a province with an instance of its own: sent there too (services.peers).
    peers.queue_forward(petition, number=petition.hand_offs.count())
    return petition


@transaction.atomic
def accept(actor, petition, *, note: str = ""):
    petition, target = begin(actor, petition, "accept")
    petition.status = target
    return finish(actor, petition, "accept", now=timezone.now(), note=note.strip())


@transaction.atomic
def start(actor, petition, *, note: str = ""):
    petition, target = begin(actor, petition, "start")
    petition.status = target
    return finish(actor, petition, "start", now=timezone.now(), note=note.strip())


@transaction.atomic
def request_supplement(actor, petition, *, reason: str):
    """Ask the submitter for more: the answer clock stops until the supplement comes."""
    petition, target = begin(actor, petition, "request_supplement")
    reason = required(reason, "reason", _("Say what the submitter must add."))
    now = timezone.now()
    late = now > petition.supplement_due_at
    petition.status_before = petition.status
    petition.status = target
    deadlines.pause(petition, now)
    return finish(
        actor, petition, "request_supplement", now=now, note=reason, summary={"late": late}
    )


def supplement(actor, petition, *, note: str = "", uploads=()):
    """The submitter's supplement: the petition goes back where it was, the clock runs again
    with its deadline moved by the working time waited."""
    checked = _checked(list(uploads))
    stored = StoredFiles()
    try:
        with transaction.atomic():
            petition, target = begin(actor, petition, "supplement")
            note = (note or "").strip()
            if not note and not checked:
                raise PetitionError(
                    {"note": [_("Write the supplement or attach a file.")]}, code="required"
                )
            now = timezone.now()
            petition.status = target
            petition.status_before = None
            deadlines.resume(petition, now)
            attach(petition, checked, stored, supplement=True)
            return finish(
                actor, petition, "supplement", now=now, note=note, summary={"files": len(checked)}
            )
    except BaseException:
        stored.discard()
        raise


MERGEABLE = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.HANDLING})


@transaction.atomic
def merge(actor, petition, *, into):
    """Similar petitions under one answer: ``petition`` follows ``into`` (at the same
    organisation, open, not merged itself); answering and publishing ``into`` answers and
    publishes it too, and its submitter is told each time."""
    petition, target = begin(actor, petition, "merge")
    lead = None
    if into is not None:
        lead = Petition.objects.select_for_update().filter(pk=into.pk).first()
    if (
        lead is None
        or lead.pk == petition.pk
        or lead.organisation_id != petition.organisation_id
        or lead.status not in MERGEABLE
        or lead.merged_into_id is not None
        or petition.merged.exists()
    ):
        raise PetitionError(
            {"into": [_("Choose another open petition of the same organisation.")]},
            code="merge_target",
        )
    petition.merged_into = lead
    petition.status = target
    return finish(
        actor, petition, "merge", now=timezone.now(), note=lead.code, summary={"into": lead.code}
    )


@transaction.atomic
def refuse(actor, petition, *, reason: str):
    """Outside scope (complaints and denunciations go to their own procedure, by law)."""
    petition, target = begin(actor, petition, "refuse")
    reason = required(reason, "reason", _("Say why the petition is refused."))
    now = timezone.now()
    petition.status = target
    petition.reason = reason
    petition.due_at = petition.at_risk_at = None
    late = now > petition.refuse_due_at
    return finish(actor, petition, "refuse", now=now, note=reason, summary={"late": late})


@transaction.atomic
def return_to_centre(actor, petition, *, reason: str):
    """Wrong addressee: back to the centre, which forwards it again (its clock keeps running)."""
    petition, target = begin(actor, petition, "return_to_centre")
    reason = required(reason, "reason", _("Say why the petition is not for your organisation."))
    now = timezone.now()
    source = petition.organisation
    petition.organisation = petition.centre
    petition.status = target
    return finish(
        actor, petition, "return_to_centre", now=now, note=reason, from_organisation=source
    )


def answer(actor, petition, *, text: str):
    """The answer: the text and a PDF signed by the answering organisation (the one holding the
    petition); the publish clock starts."""
    stored = StoredFiles()
    try:
        with transaction.atomic():
            petition, target = begin(actor, petition, "answer")
            text = required(text, "answer", _("Write the answer."))
            if len(text) > MAX_ANSWER:
                raise PetitionError(
                    {"answer": [_("The answer is at most %(n)s characters.") % {"n": MAX_ANSWER}]},
                    code="too_long",
                )
            now = timezone.now()
            organisation = petition.organisation
            pdf = render_answer(petition, organisation, text, at=now)
            late = petition.due_at is not None and now > petition.due_at
            petition.answer_text = text
            petition.answer_file.name = stored.save(f"petitions/answers/{petition.code}.pdf", pdf)
            petition.answered_by = organisation
            petition.answered_at = now
            petition.answered_late = late
            petition.status = target
            deadlines.start_publish_clock(petition, now)
            finish(actor, petition, "answer", now=now, summary={"late": late})
            for merged in _merged(petition, MERGEABLE):
                _answer_one(actor, merged, organisation, text, now, stored, lead=petition)
            return petition
    except BaseException:
        stored.discard()
        raise


def _merged(lead, statuses):
    return list(
        Petition.objects.select_for_update(of=("self",))
        .select_related("submitter", "organisation")
        .filter(merged_into=lead, status__in=statuses)
        .order_by("pk")
    )


def _answer_one(actor, petition, organisation, text, now, stored, *, lead):
    """A merged petition answered with its lead: its own signed PDF (its own code and, with its
    submitter's consent, their name), its own hand-off, audit row and e-mail."""
    pdf = render_answer(petition, organisation, text, at=now)
    petition.answer_text = text
    petition.answer_file.name = stored.save(f"petitions/answers/{petition.code}.pdf", pdf)
    petition.answered_by = organisation
    petition.answered_at = now
    petition.answered_late = petition.due_at is not None and now > petition.due_at
    petition.status = Status.ANSWERED
    deadlines.start_publish_clock(petition, now)
    finish(actor, petition, "answer", now=now, note=lead.code, summary={"with": lead.code})


def _publish_one(actor, petition, now, *, lead=None):
    petition.status = Status.PUBLISHED
    petition.published_at = now
    petition.search_text = fold(" ".join([petition.title, petition.content, petition.answer_text]))
    late = petition.due_at is not None and now > petition.due_at
    petition.due_at = petition.at_risk_at = None
    summary = {"late": late, **({"with": lead.code} if lead else {})}
    # A new answering organisation or sector appears in the public list's filters.
    transaction.on_commit(public.forget_filter_choices)
    return finish(actor, petition, "publish", now=now, summary=summary)


@transaction.atomic
def publish(actor, petition):
    """Publish the answer. Never without one; the submitter's name only with their consent
    (Petition.shown_name)."""
    petition, target = begin(actor, petition, "publish")
    if not petition.answer_text or not petition.answer_file or petition.answered_at is None:
        raise PetitionError(
            _("A petition without an answer cannot be published."), code="no_answer"
        )
    now = timezone.now()
    _publish_one(actor, petition, now)
    for merged in _merged(petition, {Status.ANSWERED}):
        _publish_one(actor, merged, now, lead=petition)
    return petition


ACT_FUNCTIONS = {
    "forward": forward,
    "merge": merge,
    "accept": accept,
    "start": start,
    "request_supplement": request_supplement,
    "supplement": supplement,
    "refuse": refuse,
    "return_to_centre": return_to_centre,
    "answer": answer,
    "publish": publish,
}

__all__ = ["ACT_FUNCTIONS", *ACT_FUNCTIONS, "Status"]
