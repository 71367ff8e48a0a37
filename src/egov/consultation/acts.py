"""The consultation's state machine: its phases and the acts that move it on, read by the
services, the API and the pages (as egov.dossiers.acts is for the dossier; see
docs/architecture.md, "One act table per state machine").

The gate: the result cannot be published while a published comment has no answer, or while a
comment hidden by reports waits for a moderator (it may be restored and then need an answer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from egov.accounts import policy
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import Comment, Consultation, Moderation, Phase
from egov.consultation.scopes import MANAGE

P = Phase


def unanswered(consultation: Consultation) -> int:
    """Published comments without an answer (a group's leader answers for its duplicates)."""
    return Comment.objects.filter(
        consultation=consultation,
        moderation=Moderation.VISIBLE,
        leader__isnull=True,
        answer__isnull=True,
    ).count()


def pending_review(consultation: Consultation) -> int:
    return Comment.objects.filter(consultation=consultation, moderation=Moderation.PENDING).count()


def _all_answered(consultation: Consultation) -> str:
    missing, pending = unanswered(consultation), pending_review(consultation)
    if missing:
        return gettext(
            "%(count)d published comments have no answer yet: answer every comment first."
        ) % {"count": missing}
    if pending:
        return gettext("%(count)d comments hidden by reports wait for a moderator's review.") % {
            "count": pending
        }
    return ""


@dataclass(frozen=True)
class Act:
    name: str
    sources: frozenset
    target: str
    scope: str
    label: Promise = ""
    done: Promise = ""
    # Beyond the phase: the reason the act is refused now, or "".
    guard: Callable[[Consultation], str] | None = None

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")


_TABLE = (
    Act(
        "open_debate",
        frozenset({P.PREPARING}),
        P.DEBATE,
        MANAGE,
        label=pgettext_lazy("consultation act", "Open the debate"),
        done=pgettext_lazy("consultation act", "Debate opened"),
    ),
    Act(
        "open_comments",
        frozenset({P.PREPARING, P.DEBATE}),
        P.COMMENTS,
        MANAGE,
        label=pgettext_lazy("consultation act", "Open for comments"),
        done=pgettext_lazy("consultation act", "Opened for comments"),
    ),
    Act(
        "close_comments",
        frozenset({P.COMMENTS}),
        P.ANSWERS,
        MANAGE,
        label=pgettext_lazy("consultation act", "Close comments and answer them"),
        done=pgettext_lazy("consultation act", "Comments closed"),
    ),
    Act(
        "publish_result",
        frozenset({P.ANSWERS}),
        P.RESULT,
        MANAGE,
        label=pgettext_lazy("consultation act", "Publish the result"),
        done=pgettext_lazy("consultation act", "Result published"),
        guard=_all_answered,
    ),
)
ACTS: dict[str, Act] = {act.name: act for act in _TABLE}


def check_transition(consultation: Consultation, name: str) -> str:
    """The phase ``name`` leads to from here; IllegalTransition (nothing changes) if the phase
    or the guard does not allow it."""
    act = ACTS[name]
    if consultation.phase not in act.sources:
        raise IllegalTransition(
            gettext("“%(act)s” is not possible in the phase “%(phase)s”.")
            % {"act": act.label, "phase": consultation.get_phase_display()},
            code="illegal_transition",
        )
    reason = act.guard(consultation) if act.guard else ""
    if reason:
        raise IllegalTransition(reason, code="unanswered")
    return act.target


def may(actor, name: str, consultation: Consultation) -> bool:
    return policy.can(actor, ACTS[name].scope, consultation)


def allowed_acts(consultation: Consultation, actor) -> list[Act]:
    """The acts ``actor`` may make now: what the pages offer and the services accept."""
    return [
        act
        for act in _TABLE
        if consultation.phase in act.sources
        and may(actor, act.name, consultation)
        and not (act.guard and act.guard(consultation))
    ]
