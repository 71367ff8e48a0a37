"""Reform plans: the regulations a ministry plans to cut or simplify, each with its cost before
(the regulation's, when planned) and after, and the saving; summed per ministry and shown
against the deadline (30/9 of the plan's year, to the Prime Minister)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.consultation import scopes
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import ReformAction, ReformItem, ReformPlan, Regulation
from egov.consultation.services._common import record, require, required
from egov.consultation.services.regulations import COST_FIELDS, clean_costs
from egov.core.models import Organisation


def deadline(year: int) -> date:
    return date(year, 9, 30)


def create_plan(actor, organisation: Organisation, *, year: int, title: str) -> ReformPlan:
    require(actor, scopes.MANAGE, organisation)
    title = required(title, "title", _("Give the plan's title."))
    if not 2000 <= int(year) <= 2100:
        raise ConsultationError({"year": [_("Give a year between 2000 and 2100.")]}, code="invalid")
    if ReformPlan.objects.filter(organisation=organisation, year=year).exists():
        raise ConsultationError(
            {"year": [_("This organisation already has a plan for %(year)s.") % {"year": year}]},
            code="duplicate",
        )
    with transaction.atomic():
        plan = ReformPlan.objects.create(organisation=organisation, year=year, title=title)
        record(actor, "plan.create", plan, organisation, year=plan.year)
    return plan


def add_item(
    actor, plan: ReformPlan, regulation: Regulation, *, action: str, costs_after: dict
) -> ReformItem:
    """A regulation of the plan's organisation, cut (no cost after) or simplified (the cost
    fields after the reform, which must cost less)."""
    require(actor, scopes.MANAGE, plan)
    if plan.submitted_at is not None:
        raise IllegalTransition(_("The plan was submitted: it cannot change."), code="submitted")
    if regulation.organisation_id != plan.organisation_id:
        raise ConsultationError(
            {"regulation": [_("The regulation is not managed by the plan's organisation.")]},
            code="other_organisation",
        )
    if action not in ReformAction.values:
        raise ConsultationError({"action": [_("Choose cut or simplify.")]}, code="invalid")
    after = {name: 0 for name in COST_FIELDS}
    if action == ReformAction.SIMPLIFY:
        after = clean_costs(costs_after or {})
    item = ReformItem(
        plan=plan, regulation=regulation, action=action, cost_before=regulation.cost, **after
    )
    if action == ReformAction.SIMPLIFY and item.cost >= item.cost_before:
        raise ConsultationError(
            {"costs": [_("A simplified regulation must cost less than it does now.")]},
            code="no_saving",
        )
    try:
        with transaction.atomic():
            item.save()
            record(
                actor,
                "plan.item",
                plan,
                plan.organisation,
                regulation=regulation.pk,
                reform=action,
                before=item.cost_before,
                after=item.cost if action != "cut" else 0,
            )
    except IntegrityError as exc:
        raise ConsultationError(
            {"regulation": [_("The regulation is already in the plan.")]}, code="duplicate"
        ) from exc
    return item


def remove_item(actor, item: ReformItem) -> None:
    """Take a regulation off a plan not yet submitted (to change a line: remove, add again)."""
    plan = item.plan
    require(actor, scopes.MANAGE, plan)
    with transaction.atomic():
        locked = ReformPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.submitted_at is not None:
            raise IllegalTransition(
                _("The plan was submitted: it cannot change."), code="submitted"
            )
        deleted, _rows = ReformItem.objects.filter(pk=item.pk, plan=locked).delete()
        if not deleted:
            raise ConsultationError(
                {"item": [_("The regulation is not in the plan.")]}, code="unknown"
            )
        record(
            actor,
            "plan.item_remove",
            locked,
            locked.organisation,
            regulation=item.regulation_id,
            reform=item.action,
        )


def submit_plan(actor, plan: ReformPlan) -> ReformPlan:
    require(actor, scopes.MANAGE, plan)
    with transaction.atomic():
        locked = ReformPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.submitted_at is not None:
            raise IllegalTransition(_("The plan was already submitted."), code="submitted")
        if not locked.items.exists():
            raise ConsultationError(_("The plan has no regulation."), code="empty")
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at"])
        record(actor, "plan.submit", locked, locked.organisation, year=locked.year)
    return locked


@dataclass
class PlanTotals:
    plan: ReformPlan
    regulations: int
    cost_before: int
    cost_after: int
    deadline: date
    on_time: bool | None  # None: not submitted yet
    days_left: int | None  # None once submitted

    @property
    def saving(self) -> int:
        return self.cost_before - self.cost_after


def totals(plan: ReformPlan, today: date | None = None) -> PlanTotals:
    """The plan's sums (its items prefetched) and where it stands against 30/9."""
    items = list(plan.items.all())
    before = sum(i.cost_before for i in items)
    after = sum(0 if i.action == ReformAction.CUT else i.cost for i in items)
    due = deadline(plan.year)
    today = today or timezone.localdate()
    submitted = timezone.localdate(plan.submitted_at) if plan.submitted_at else None
    return PlanTotals(
        plan=plan,
        regulations=len(items),
        cost_before=before,
        cost_after=after,
        deadline=due,
        on_time=None if submitted is None else submitted <= due,
        days_left=None if submitted is not None else (due - today).days,
    )
