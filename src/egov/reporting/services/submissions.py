"""Submitting an organisation's values for one period of a regime.

Everything is checked before anything is written: the caller may submit for the organisation,
the organisation reports under the regime, the period exists and its cut-off has come, every
value is a number of an indicator of the regime that the organisation's level reports and that
is in force at the cut-off (a whole number where the indicator says so, a known
disaggregation), and the regime's validation rules hold. A blocking rule refuses the
submission; a warning refuses it until the reporter confirms the warnings (``confirm=True``),
and the confirmed warnings are kept with it. Then one transaction replaces the period's values
(a report can be sent again until it is approved; then its values are locked and a correction
is a revision, services.approval.revise) and writes one audit row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.services import audit

from .. import scopes
from ..models import Approval, ApprovalStatus, DataValue, RegimeKind, Submission, ValueType
from ..models.submissions import Operator, Severity
from ..periods import Period, cutoff

COMPARE = {
    Operator.LESS_OR_EQUAL: lambda a, b: a <= b,
    Operator.LESS: lambda a, b: a < b,
    Operator.EQUAL: lambda a, b: a == b,
    Operator.GREATER_OR_EQUAL: lambda a, b: a >= b,
    Operator.GREATER: lambda a, b: a > b,
}


class WarningsToConfirm(ValidationError):
    """Only warnings failed: submit again with ``confirm=True`` to accept them."""

    def __init__(self, warnings: list[dict]):
        super().__init__([w["message"] for w in warnings], code="warnings")
        self.warnings = warnings


@dataclass(frozen=True)
class Entry:
    indicator: str  # the indicator's key
    value: object
    disaggregation: str = ""


def _cutoff(regime, year: int, number: int):
    if regime.kind != RegimeKind.PERIODIC:
        if regime.cutoff is None or (year, number) != (regime.cutoff.year, 1):
            raise ValidationError(_("This regime has one report, for its cut-off date."))
        return regime.cutoff
    try:
        period = Period(year, regime.periodicity, number)
    except ValueError as exc:
        raise ValidationError(_("There is no such reporting period.")) from exc
    return cutoff(period, regime.convention)


def _options(indicator) -> list[set[str]] | None:
    combo = indicator.disaggregation
    if combo is None:
        return None
    return [
        {option.code for option in category.options.all()}
        for category in combo.categories.order_by("code")
    ]


# The tree's levels as the indicators name them (a ministry reports national figures).
INDICATOR_LEVEL = {"central": "national", "province": "province", "commune": "commune"}


def _reportable(indicator, organisation, day) -> str | None:
    """Why ``organisation`` may not report ``indicator`` for data cut off on ``day``, or None."""
    if INDICATOR_LEVEL.get(organisation.level) not in indicator.levels:
        return _("%(name)s is not reported at this organisation's level.") % {
            "name": indicator.name
        }
    if (indicator.valid_from and day < indicator.valid_from) or (
        indicator.valid_to and day > indicator.valid_to
    ):
        return _("%(name)s is not in force for this period.") % {"name": indicator.name}
    return None


def _parse(regime, organisation, day, entries: list[Entry]) -> list[tuple]:
    indicators = {i.key: i for i in regime.indicators.select_related("disaggregation")}
    rows, seen, errors = [], set(), []
    for entry in entries:
        indicator = indicators.get(entry.indicator)
        if indicator is None:
            errors.append(
                _("“%(key)s” is not an indicator of this regime.") % {"key": entry.indicator}
            )
            continue
        refusal = _reportable(indicator, organisation, day)
        if refusal:
            errors.append(refusal)
            continue
        try:
            value = Decimal(str(entry.value))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(_("%(name)s: the value is not a number.") % {"name": indicator.name})
            continue
        if indicator.value_type == ValueType.INTEGER and value != value.to_integral_value():
            errors.append(_("%(name)s must be a whole number.") % {"name": indicator.name})
        options = _options(indicator)
        parts = entry.disaggregation.split(".") if entry.disaggregation else []
        if parts and (
            options is None
            or len(parts) != len(options)
            or any(p not in o for p, o in zip(parts, options, strict=False))
        ):
            errors.append(
                _("%(name)s: unknown disaggregation “%(code)s”.")
                % {"name": indicator.name, "code": entry.disaggregation}
            )
        key = (indicator.pk, entry.disaggregation)
        if key in seen:
            errors.append(_("%(name)s is given twice.") % {"name": indicator.name})
        seen.add(key)
        rows.append((indicator, entry.disaggregation, value))
    if errors:
        raise ValidationError(errors)
    return rows


def _totals(rows) -> dict[int, Decimal]:
    """Each indicator's figure: its undivided value, else the sum of its parts."""
    whole, parts = {}, defaultdict(Decimal)
    for indicator, disaggregation, value in rows:
        if disaggregation:
            parts[indicator.pk] += value
        else:
            whole[indicator.pk] = value
    return {**parts, **whole}


def _figure(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _check_rules(regime, rows) -> tuple[list[str], list[dict]]:
    totals = _totals(rows)
    blocking, warnings = [], []
    for rule in regime.rules.select_related("left", "right"):
        left = totals.get(rule.left_id)
        right = totals.get(rule.right_id) if rule.right_id else None
        if rule.operator == Operator.REQUIRED:
            broken = left is None
            message = _("%(name)s is required.") % {"name": rule.left.name}
        elif left is None or right is None:
            broken = not rule.skip_if_missing
            message = _("%(rule)s: a value to compare is missing.") % {"rule": rule.name}
        else:
            broken = not COMPARE[rule.operator](left, right)
            message = _(
                "%(rule)s: %(left)s (%(lvalue)s) must be %(op)s %(right)s (%(rvalue)s)."
            ) % {
                "rule": rule.name,
                "left": rule.left.name,
                "lvalue": _figure(left),
                "op": rule.get_operator_display(),
                "right": rule.right.name,
                "rvalue": _figure(right),
            }
        if broken and rule.severity == Severity.BLOCKING:
            blocking.append(message)
        elif broken:
            warnings.append({"rule": rule.pk, "message": message})
    return blocking, warnings


def submit(
    *, actor, regime, organisation, year: int, number: int, entries: list[Entry], confirm=False
) -> Submission:
    policy.check(actor, scopes.SUBMIT, Submission(organisation=organisation))
    if not regime.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(_("This organisation does not report under this regime."))
    day = _cutoff(regime, year, number)
    if timezone.localdate() < day:
        raise ValidationError(_("The period's data is not cut off yet."))
    if not entries:
        raise ValidationError(_("Give at least one value."))
    rows = _parse(regime, organisation, day, entries)
    blocking, warnings = _check_rules(regime, rows)
    if blocking:
        raise ValidationError(blocking)
    if warnings and not confirm:
        raise WarningsToConfirm(warnings)
    user = policy.actor_of(actor)
    with transaction.atomic():
        submission, created = Submission.objects.select_for_update().get_or_create(
            regime=regime,
            organisation=organisation,
            year=year,
            number=number,
            defaults={"submitted_at": timezone.now()},
        )
        # Approved values are locked (checked under the submission's lock, which approving
        # takes too): a correction is a revision (services.approval.revise).
        if Approval.objects.filter(
            regime=regime,
            organisation=organisation,
            year=year,
            number=number,
            status__in=[ApprovalStatus.APPROVED, ApprovalStatus.ACCEPTED],
        ).exists():
            raise ValidationError(
                _(
                    "This report is approved and its values are locked: correct them by a "
                    "revision with a reason."
                )
            )
        # An API client is no user: its reference is in the audit row.
        submission.submitted_by = user if isinstance(user, get_user_model()) else None
        submission.submitted_at = timezone.now()
        submission.warnings = warnings
        submission.save()
        submission.values.all().delete()
        DataValue.objects.bulk_create(
            DataValue(submission=submission, indicator=i, disaggregation=d, value=v)
            for i, d, v in rows
        )
        audit.record(
            actor=user,
            action="reporting.submitted",
            obj=submission,
            organisation=organisation,
            summary={
                "regime": regime.code,
                "period": [year, number],
                "values": len(rows),
                "warnings": [w["message"] for w in warnings],
                "again": not created,
            },
        )
    return submission
