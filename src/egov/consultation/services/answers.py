"""The drafting agency's answers: each published comment (or a group of them) accepted, with
the unit of the next version that changed, or explained, with the reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.consultation import scopes
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import Answer, AnswerKind, Comment, Consultation, Moderation, Phase
from egov.consultation.services._common import person_of, record, required
from egov.consultation.services.drafts import latest

ANSWERING = {Phase.COMMENTS, Phase.ANSWERS}


def _changed_unit(consultation: Consultation, comments: list[Comment], anchor: str):
    anchor = required(
        anchor, "changed_anchor", _("An accepted comment needs the clause that changed.")
    )
    version = latest(consultation.draft)
    commented = max(c.version.number for c in comments)
    if version.number <= commented:
        raise ConsultationError(
            {
                "changed_anchor": [
                    _(
                        "Publish the next version of the draft first: the comments were on "
                        "version %(n)d."
                    )
                    % {"n": commented}
                ]
            },
            code="no_next_version",
        )
    unit = version.units.filter(anchor=anchor).first()
    if unit is None:
        raise ConsultationError(
            {
                "changed_anchor": [
                    _("Version %(n)d has no such article, clause or point: %(a)s.")
                    % {"n": version.number, "a": anchor}
                ]
            },
            code="unknown_anchor",
        )
    before = {
        c.version.units.filter(anchor=anchor).values_list("text_hash", flat=True).first()
        for c in comments
    }
    if before == {unit.text_hash}:
        raise ConsultationError(
            {
                "changed_anchor": [
                    _("%(label)s did not change in version %(n)d.")
                    % {"label": unit.label, "n": version.number}
                ]
            },
            code="unchanged_unit",
        )
    return unit


def answer(
    actor,
    consultation: Consultation,
    comment_ids: list[int],
    *,
    kind: str,
    text: str,
    changed_anchor: str = "",
) -> Answer:
    """Answer these comments together. Refused (nothing written): someone not at the drafting
    agency, a phase that does not take answers, a comment not published, already answered or
    of another consultation, an accepted answer without a changed clause of a later version."""
    if not policy.can(actor, scopes.ANSWER, consultation):
        raise PermissionDenied(_("Only the drafting agency answers comments on its draft."))
    person = person_of(actor)
    if person is None:
        raise PermissionDenied(_("An answer is given by an official of the drafting agency."))
    if kind not in AnswerKind.values:
        raise ConsultationError({"kind": [_("Choose accepted or explained.")]}, code="invalid")
    text = required(
        text,
        "text",
        _("Give the reason.") if kind == AnswerKind.EXPLAINED else _("Say what changed."),
    )
    ids = sorted({int(i) for i in comment_ids or []})
    if not ids:
        raise ConsultationError({"comments": [_("Choose the comments answered.")]}, code="required")
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.phase not in ANSWERING:
            raise IllegalTransition(
                _("Comments are answered in the comments and answers phases."),
                code="illegal_transition",
            )
        comments = list(
            Comment.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(consultation=locked, pk__in=ids)
        )
        if len(comments) != len(ids):
            raise ConsultationError(
                {"comments": [_("Some comments are not of this consultation.")]}, code="unknown"
            )
        for comment in comments:
            if comment.leader_id is not None or comment.moderation != Moderation.VISIBLE:
                raise ConsultationError(
                    {
                        "comments": [
                            _("Comment %(id)d is not published: answer its group's first comment.")
                            % {"id": comment.pk}
                        ]
                    },
                    code="not_published",
                )
            if comment.answer_id is not None:
                raise ConsultationError(
                    {"comments": [_("Comment %(id)d is already answered.") % {"id": comment.pk}]},
                    code="answered",
                )
        unit = (
            _changed_unit(locked, comments, changed_anchor) if kind == AnswerKind.ACCEPTED else None
        )
        row = Answer.objects.create(
            consultation=locked,
            kind=kind,
            text=text,
            changed_unit=unit,
            answered_by=person,
            answered_at=timezone.now(),
        )
        Comment.objects.filter(pk__in=ids).update(answer=row)
        record(
            actor,
            "comment.answer",
            row,
            locked.organisation,
            kind=kind,
            comments=ids,
            changed=unit.anchor if unit else "",
            version=unit.version.number if unit else None,
        )
    return row
