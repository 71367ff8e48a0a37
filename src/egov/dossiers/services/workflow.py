"""Moving a dossier between workflow steps and agencies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog.models import ImplementingAgency
from egov.core.models import Organisation
from egov.dossiers.models import Dossier, DossierAssignment, Status, Transfer, steps_for

from . import _common
from .deadlines import step_due
from .lifecycle import assign


def _go(dossier, act, *, actor, target, note, summary=None, assignee=None):
    with transaction.atomic():
        dossier = _common.lock(dossier)
        decision = _common.authorise(actor, dossier, act)
        _common.check_transition(dossier, act)
        steps = steps_for(dossier)
        step = target(dossier, steps)
        now = timezone.now()
        dossier.current_step = step
        dossier.step_due_at = step_due(dossier, step, steps)
        dossier.save()
        DossierAssignment.objects.filter(dossier=dossier, ended_at__isnull=True).update(
            ended_at=now
        )
        _common.record(
            dossier,
            actor=actor,
            act=act,
            from_status=dossier.status,
            note=note,
            decision=decision,
            summary={"step": step.pk if step else None, **(summary or {})},
            at=now,
        )
        if assignee is not None:
            assign(dossier, actor=actor, official=assignee)
    return dossier


def forward(dossier: Dossier, *, actor, to_step=None, assignee=None, note: str = "") -> Dossier:
    """Status 4: move to the next step (or ``to_step``, a later one) with its due time; optional
    assignment. Scope ``dossiers.process`` (``dossiers.approve`` at an approver's step)."""

    def target(d, steps):
        current = d.current_step.order if d.current_step else -1
        later = [s for s in steps if s.order > current]
        if to_step is not None:
            if to_step.pk not in {s.pk for s in later}:
                raise ValidationError({"step": [_("Forward only to a later step.")]})
            return to_step
        if not later:
            raise ValidationError(
                {"step": [_("This is the last step: the dossier can now be approved.")]}
            )
        return later[0]

    return _go(dossier, "forward", actor=actor, target=target, note=note, assignee=assignee)


def return_to_step(dossier: Dossier, *, actor, step, reason: str) -> Dossier:
    """Status 4: send back to an earlier step of the same agency, with a reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the dossier goes back.")]})

    def target(d, steps):
        current = d.current_step.order if d.current_step else -1
        if step is None or step.pk not in {s.pk for s in steps if s.order < current}:
            raise ValidationError({"step": [_("Return only to an earlier step.")]})
        return step

    return _go(dossier, "return_to_step", actor=actor, target=target, note=reason)


def transfer_targets(dossier: Dossier):
    """The organisations a dossier may be transferred to: those that handle its procedure
    version according to the catalogue (its implementing agencies: a named organisation, or
    every organisation of a generic agency's level; the version's levels when it names none),
    still in existence, other than the one handling it now. A fuzzer once moved a commune's
    dossier to a ministry: any code was accepted."""
    named, levels = set(), set()
    for organisation_id, level in ImplementingAgency.objects.filter(
        version_id=dossier.procedure_version_id
    ).values_list("organisation_id", "level"):
        if organisation_id is not None:
            named.add(organisation_id)
        elif level:
            levels.add(level)
    if not named and not levels:
        levels = set(dossier.procedure_version.levels or [])
    today = timezone.localdate()
    return (
        Organisation.objects.filter(Q(pk__in=named) | Q(level__in=levels))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(pk=dossier.organisation_id)
        .order_by("path", "name")
    )


def transfer(dossier: Dossier, *, actor, to_organisation, reason: str = "") -> Transfer:
    """Liên thông: ``organisation`` becomes ``to_organisation``, which continues at its own first
    step (steps of the version with that organisation, else the version's generic steps); the
    sending agency keeps read access through the Transfer row; history is shared."""
    with transaction.atomic():
        dossier = _common.lock(dossier)
        decision = _common.authorise(actor, dossier, "transfer")
        _common.check_transition(dossier, "transfer")
        if to_organisation.pk == dossier.organisation_id:
            raise ValidationError({"organisation": [_("Transfer to another agency.")]})
        if not transfer_targets(dossier).filter(pk=to_organisation.pk).exists():
            raise ValidationError(
                {
                    "organisation": [
                        _(
                            "%(agency)s does not handle this procedure: transfer only to an "
                            "agency the catalogue names for it."
                        )
                        % {"agency": to_organisation.name}
                    ]
                }
            )
        now = timezone.now()
        from_status = dossier.status
        item = Transfer.objects.create(
            dossier=dossier,
            from_organisation_id=dossier.organisation_id,
            to_organisation=to_organisation,
            reason=reason or "",
            transferred_at=now,
            transferred_by=_common.user_of(actor),
        )
        DossierAssignment.objects.filter(dossier=dossier, ended_at__isnull=True).update(
            ended_at=now
        )
        dossier.organisation = to_organisation
        dossier.status = Status.PROCESSING
        steps = steps_for(dossier)
        dossier.current_step = steps[0] if steps else None
        dossier.step_due_at = step_due(dossier, dossier.current_step, steps)
        dossier.save()
        _common.record(
            dossier,
            actor=actor,
            act="transfer",
            from_status=from_status,
            note=reason or "",
            decision=decision,
            summary={
                "from_organisation": item.from_organisation_id,
                "to_organisation": to_organisation.pk,
            },
            at=now,
        )
    return item
