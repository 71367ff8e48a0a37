"""Workflow steps of procedure versions: the usual four for versions that have none (the demo's
step of ``egov load-demo``), and the admin's single-step changes, each checked against the other
steps of its version and audited (``dossiers.workflow_step_*``).

The rules a version's steps keep (per organisation, None being the agency handling the dossier):
orders unique, shares of the time limit adding up to at most 1 (exactly 1 once complete; the
admin adds steps one at a time, so it cannot ask for 1 at every save).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.accounts.models import Role
from egov.core.services import audit
from egov.dossiers.models import WorkflowStep

# Tiếp nhận → Thẩm định → Phê duyệt → Trả kết quả: the one-stop shop's usual path (as
# tests/dossiers/core_support.make_world and generate-dossiers). (name, role, share)
USUAL_STEPS = (
    ("Tiếp nhận", Role.DESK, Decimal("0.1")),
    ("Thẩm định", Role.PROCESSOR, Decimal("0.6")),
    ("Phê duyệt", Role.APPROVER, Decimal("0.2")),
    ("Trả kết quả", Role.DESK, Decimal("0.1")),
)


def add_usual_steps(versions, *, actor, summary: dict | None = None) -> int:
    """The usual four steps for each of ``versions`` that has no step at all (any organisation's):
    one INSERT, one audit row, and nothing written when every version has steps. Returns the
    number of versions given steps."""
    with transaction.atomic():
        ids = {v.pk for v in versions}
        having = set(
            WorkflowStep.objects.filter(procedure_version_id__in=ids)
            .values_list("procedure_version_id", flat=True)
            .distinct()
        )
        missing = sorted(ids - having)
        if not missing:
            return 0
        WorkflowStep.objects.bulk_create(
            WorkflowStep(procedure_version_id=pk, order=order, name=name, role=role, share=share)
            for pk in missing
            for order, (name, role, share) in enumerate(USUAL_STEPS)
        )
        audit.record(
            actor=actor,
            action="dossiers.workflow_steps_added",
            object_type=WorkflowStep._meta.label_lower,
            summary={"versions": missing, "steps": len(USUAL_STEPS), **(summary or {})},
        )
    return len(missing)


def check(step: WorkflowStep) -> None:
    """ValidationError (by field) if ``step`` breaks its version's rules (see the module)."""
    siblings = WorkflowStep.objects.filter(
        procedure_version_id=step.procedure_version_id, organisation_id=step.organisation_id
    ).exclude(pk=step.pk)
    errors = {}
    if siblings.filter(order=step.order).exists():
        errors["order"] = [
            _("This version already has a step with order %(order)s.") % {"order": step.order}
        ]
    others = siblings.aggregate(total=Sum("share"))["total"] or Decimal("0")
    if others + (step.share or Decimal("0")) > 1:
        errors["share"] = [
            _(
                "The shares of a version's steps add up to at most 1: the other steps already "
                "have %(others)s."
            )
            % {"others": others.normalize()}
        ]
    if errors:
        raise ValidationError(errors)


def save_step(step: WorkflowStep, *, actor) -> WorkflowStep:
    """Create or change one step (from the admin), checked and audited; the caller checked the
    scope (policy, ``catalog.write``)."""
    with transaction.atomic():
        check(step)
        created = step.pk is None
        step.save()
        policy.audit(
            actor,
            "dossiers.workflow_step_created" if created else "dossiers.workflow_step_changed",
            step,
            summary={k: str(v) for k, v in model_to_dict(step).items() if k != "id"},
        )
    return step


def delete_step(step: WorkflowStep, *, actor) -> None:
    """Remove one step; refused (ValidationError) while a dossier is at it or was assigned at it
    (the rows that point to it are PROTECTed)."""
    from django.db.models import ProtectedError

    with transaction.atomic():
        summary = {k: str(v) for k, v in model_to_dict(step).items()}
        try:
            step.delete()
        except ProtectedError as exc:
            raise ValidationError(
                _("Dossiers were handled at this step: it cannot be removed.")
            ) from exc
        policy.audit(
            actor,
            "dossiers.workflow_step_removed",
            None,
            object_type=WorkflowStep._meta.label_lower,
            object_id=summary["id"],
            summary=summary,
        )
