"""Approving reports up the tree, and correcting approved values by revision.

An approval unit is a regime, an organisation and a period (``approval_acts`` has the states
and acts). Its lower units are the organisations directly below it that report under the
regime or have reporting organisations below them; a unit that reports itself also needs its
own report. Every act locks the unit's row and the level above's row, recomputes the state
inside the transaction, checks it against the act table, then writes the status, the moved
aggregates and one audit row together, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import Organisation

from .. import approval_acts as acts
from .. import scopes
from ..models import Approval, ApprovalStatus, DataValue, Revision, Submission
from . import aggregates
from .submissions import WarningsToConfirm, _cutoff, _parse, check_rules


@dataclass
class Unit:
    regime: object
    organisation: Organisation
    year: int
    number: int
    approval: Approval | None
    submission: Submission | None
    reports_itself: bool
    # Lower units: organisation id -> stored status ("" when no row).
    lower: dict[int, str] = field(default_factory=dict)
    upper_status: str = ""

    @property
    def status(self) -> str:
        return self.approval.status if self.approval else ApprovalStatus.UNAPPROVED

    @property
    def missing(self) -> list[int]:
        return [org for org, status in self.lower.items() if status not in acts.DONE]

    @property
    def ready(self) -> bool:
        own = self.submission is not None or not self.reports_itself
        return own and not self.missing

    @property
    def state(self) -> str:
        return acts.state(self.status, self.ready)

    @property
    def has_upper(self) -> bool:
        return self.organisation.parent_id is not None


def load(regime, organisation, year: int, number: int) -> Unit:
    """The unit and what its state depends on, in four queries."""
    _cutoff(regime, year, number)  # refuses a period the regime does not have
    reporting = list(
        regime.organisations.filter(path__startswith=organisation.path).values_list("pk", "path")
    )
    depth = len(organisation.path.strip("/").split("/"))
    lower = set()
    for pk, path in reporting:
        parts = path.strip("/").split("/")
        if pk != organisation.pk and len(parts) > depth:
            lower.add(int(parts[depth]))
    ids = [*lower, organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    rows = {
        a.organisation_id: a
        for a in Approval.objects.filter(
            regime=regime, year=year, number=number, organisation_id__in=ids
        ).select_related("approved_by", "accepted_by")
    }
    submission = (
        Submission.objects.filter(
            regime=regime, organisation=organisation, year=year, number=number
        )
        .select_related("submitted_by")
        .first()
    )
    upper = rows.get(organisation.parent_id)
    return Unit(
        regime=regime,
        organisation=organisation,
        year=year,
        number=number,
        approval=rows.get(organisation.pk),
        submission=submission,
        reports_itself=any(pk == organisation.pk for pk, _p in reporting),
        lower={org: rows[org].status if org in rows else "" for org in lower},
        upper_status=upper.status if upper else "",
    )


def may(actor, unit: Unit):
    """``may(party)`` for :func:`approval_acts.allowed_acts`: the caller's scope there."""

    def allowed(party: str) -> bool:
        if party == acts.ABOVE:
            return unit.has_upper and policy.can(actor, scopes.APPROVE, unit.organisation.parent)
        return policy.can(actor, scopes.APPROVE, unit.organisation)

    return allowed


def _values(submission) -> list[tuple]:
    return [
        (v.indicator, v.disaggregation, v.value)
        for v in DataValue.objects.filter(submission=submission).select_related("indicator__weight")
    ]


def _user(actor):
    user = policy.actor_of(actor)
    return user if isinstance(user, get_user_model()) else None


def act(
    *, actor, name: str, regime, organisation, year: int, number: int, reason: str = ""
) -> Unit:
    """Make the act ``name`` on the unit. Refuses with PermissionDenied (the caller's scope
    at the party's organisation) or a Vietnamese ValidationError, and then writes nothing."""
    if name not in acts.ACTS:
        raise ValidationError(_("Unknown approval act."))
    declared = acts.ACTS[name]
    if declared.party == acts.ABOVE and organisation.parent_id is None:
        raise acts.IllegalTransition(_("This level has no level above it to do this."))
    party = organisation if declared.party == acts.HERE else organisation.parent
    decision = policy.check(actor, declared.scope, party)
    reason = (reason or "").strip()
    if declared.needs_reason and not reason:
        raise ValidationError(_("Give the reason for the exemption."))
    if not regime.organisations.filter(path__startswith=organisation.path).exists():
        raise ValidationError(_("No organisation reports under this regime here."))
    user = _user(actor)
    with transaction.atomic():
        ids = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
        for pk in ids:
            Approval.objects.get_or_create(
                regime=regime, organisation_id=pk, year=year, number=number
            )
        # Lock the unit and the level above: the state read below cannot change under us.
        list(
            Approval.objects.select_for_update()
            .filter(regime=regime, organisation_id__in=ids, year=year, number=number)
            .order_by("organisation_id")
        )
        if declared.name in ("approve", "unapprove"):
            list(
                Submission.objects.select_for_update().filter(
                    regime=regime, organisation=organisation, year=year, number=number
                )
            )
        unit = load(regime, organisation, year, number)
        before = unit.state
        acts.check_transition(unit, name)
        approval = unit.approval
        now = timezone.now()
        moved = 0
        if name == "approve":
            approval.approved_by, approval.approved_at = user, now
        elif name == "accept":
            approval.accepted_by, approval.accepted_at = user, now
        elif name == "unaccept":
            approval.accepted_by = approval.accepted_at = None
        elif name == "unapprove":
            approval.approved_by = approval.approved_at = None
        if name in ("exempt", "unexempt"):
            approval.reason = reason if name == "exempt" else ""
        if name in ("approve", "unapprove") and unit.submission is not None:
            deltas = aggregates.contributions(organisation, _values(unit.submission))
            moved = aggregates.apply(
                regime,
                year,
                number,
                deltas if name == "approve" else aggregates.negate(deltas),
            )
        approval.status = declared.target
        approval.save()
        policy.audit(
            user or actor,
            f"reporting.{name}",
            approval,
            decision,
            summary={
                "regime": regime.code,
                "period": [year, number],
                "from": before,
                "to": unit.state,
                "reason": reason,
                "aggregates_moved": moved,
            },
            organisation=organisation,
        )
    return load(regime, organisation, year, number)


def revise(
    *, actor, submission: Submission, entries, reason: str, confirm: bool = False
) -> Revision:
    """Correct values of an approved report: a new revision saying who changed what and why.
    The report stays approved; the aggregates move by the difference in the same transaction.
    Before approval a report is simply sent again (services.submissions.submit)."""
    decision = policy.check(actor, scopes.APPROVE, submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the approved values are corrected."))
    if not entries:
        raise ValidationError(_("Give at least one value."))
    regime, organisation = submission.regime, submission.organisation
    day = _cutoff(regime, submission.year, submission.number)
    rows, problems = _parse(regime, organisation, day, entries)
    if problems:
        raise ValidationError([p.message for p in problems])
    user = _user(actor)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        approval = Approval.objects.filter(
            regime=regime,
            organisation=organisation,
            year=submission.year,
            number=submission.number,
        ).first()
        if approval is None or approval.status not in (
            ApprovalStatus.APPROVED,
            ApprovalStatus.ACCEPTED,
        ):
            raise ValidationError(
                _("This report is not approved: send it again instead of correcting it.")
            )
        old = _values(submission)
        current = {(i.pk, d): (i, d, v) for i, d, v in old}
        changes = []
        for indicator, disaggregation, value in rows:
            before = current.get((indicator.pk, disaggregation))
            if before is not None and before[2] == value:
                continue
            changes.append(
                {
                    "indicator": indicator.key,
                    "disaggregation": disaggregation,
                    "before": None if before is None else format(before[2].normalize(), "f"),
                    "after": format(value.normalize(), "f"),
                }
            )
            current[(indicator.pk, disaggregation)] = (indicator, disaggregation, value)
        if not changes:
            raise ValidationError(_("The correction changes no value."))
        new = list(current.values())
        blocking, warnings = check_rules(
            regime, organisation, submission.year, submission.number, new
        )
        if blocking:
            raise ValidationError([p.message for p in blocking])
        if warnings and not confirm:
            raise WarningsToConfirm(warnings)
        deltas = aggregates.net(
            aggregates.contributions(organisation, new),
            aggregates.contributions(organisation, old),
        )
        aggregates.apply(regime, submission.year, submission.number, deltas)
        for indicator, disaggregation, value in rows:
            DataValue.objects.update_or_create(
                submission=submission,
                indicator=indicator,
                disaggregation=disaggregation,
                defaults={"value": value},
            )
        revision = Revision.objects.create(
            submission=submission,
            number=submission.revisions.count() + 1,
            made_by=user,
            made_at=timezone.now(),
            reason=reason,
            changes=changes,
        )
        policy.audit(
            user or actor,
            "reporting.revised",
            submission,
            decision,
            summary={"revision": revision.number, "reason": reason, "changes": changes},
            organisation=organisation,
        )
    return revision
