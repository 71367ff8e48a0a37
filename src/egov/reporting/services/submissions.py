"""Submitting an organisation's values for one period of a regime.

Everything is checked before anything is written: the caller may submit for the organisation,
the organisation reports under the regime, the period exists and its cut-off has come, every
value is a number of an indicator of the regime (not a formula's: it is computed) that the
organisation's level reports and that is in force at the cut-off (a whole number where the
indicator says so, a known disaggregation), and the regime's validation rules hold
(services.rules). A blocking rule refuses the submission; a warning refuses it until the
reporter confirms the warnings (``confirm=True``), and the confirmed warnings are kept with it.
Then one transaction replaces the period's values (a report can be sent again until it is
approved; then its values are locked and a correction is a revision, services.approval.revise)
and writes one audit row.
"""

from __future__ import annotations

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
from ..models import (
    Aggregation,
    Approval,
    ApprovalStatus,
    DataValue,
    RegimeKind,
    Submission,
    ValueType,
)
from ..periods import Period, cutoff
from . import rules


class WarningsToConfirm(ValidationError):
    """Only warnings failed: submit again with ``confirm=True`` to accept them."""

    def __init__(self, warnings: list[dict]):
        super().__init__([w["message"] for w in warnings], code="warnings")
        self.warnings = warnings


class Stale(ValidationError):
    """The values were prepared for another version of the report than the one held now
    (``submit(expected=...)``): the API answers 409 and nothing is written."""

    def __init__(self, message):
        super().__init__(message, code="stale")


@dataclass(frozen=True)
class Entry:
    indicator: str  # the indicator's key
    value: object
    disaggregation: str = ""
    comment: str = ""  # the reporter's note on the value (DHIS2's comment)


MAX_COMMENT = 2000


def version_of(submission: Submission | None) -> tuple:
    """What a value set is based on: (submitted_at, number of revisions), (None, 0) when the
    period has no report yet."""
    if submission is None:
        return (None, 0)
    return (submission.submitted_at, submission.revisions.count())


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


@dataclass(frozen=True)
class Problem:
    """A refusal about one value: ``entry`` is its index in the entries given (None when it
    comes from a rule: ``indicator`` then names the rule's indicator)."""

    message: str
    entry: int | None = None
    indicator: str | None = None


@dataclass
class Examination:
    """What :func:`examine` found: the parsed rows, the blocking problems and the warnings."""

    rows: list[tuple]  # (indicator, disaggregation, value)
    errors: list[Problem]
    warnings: list[dict]  # {"rule", "indicator", "message"}

    def raise_if_refused(self, confirm: bool) -> None:
        if self.errors:
            raise ValidationError([p.message for p in self.errors])
        if self.warnings and not confirm:
            raise WarningsToConfirm(self.warnings)


def _parse(regime, organisation, day, entries: list[Entry]) -> tuple[list[tuple], list[Problem]]:
    indicators = {i.key: i for i in regime.indicators.select_related("disaggregation")}
    rows, seen, errors = [], set(), []
    for index, entry in enumerate(entries):
        indicator = indicators.get(entry.indicator)

        def refuse(message, index=index):
            errors.append(Problem(message, entry=index))

        if indicator is None:
            refuse(_("“%(key)s” is not an indicator of this regime.") % {"key": entry.indicator})
            continue
        if indicator.aggregation == Aggregation.FORMULA:
            refuse(
                _("%(name)s is computed by its formula from other indicators: it is not reported.")
                % {"name": indicator.name}
            )
            continue
        refusal = _reportable(indicator, organisation, day)
        if refusal:
            refuse(refusal)
            continue
        try:
            value = Decimal(str(entry.value).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            refuse(_("%(name)s: the value is not a number.") % {"name": indicator.name})
            continue
        if indicator.value_type == ValueType.INTEGER and value != value.to_integral_value():
            refuse(_("%(name)s must be a whole number.") % {"name": indicator.name})
            continue
        options = _options(indicator)
        parts = entry.disaggregation.split(".") if entry.disaggregation else []
        if parts and (
            options is None
            or len(parts) != len(options)
            or any(p not in o for p, o in zip(parts, options, strict=False))
        ):
            refuse(
                _("%(name)s: unknown disaggregation “%(code)s”.")
                % {"name": indicator.name, "code": entry.disaggregation}
            )
            continue
        if len(str(entry.comment or "")) > MAX_COMMENT:
            refuse(
                _("%(name)s: the comment is longer than %(n)s characters.")
                % {"name": indicator.name, "n": MAX_COMMENT}
            )
            continue
        key = (indicator.pk, entry.disaggregation)
        if key in seen:
            refuse(_("%(name)s is given twice.") % {"name": indicator.name})
            continue
        seen.add(key)
        rows.append((indicator, entry.disaggregation, value))
    return rows, errors


def check_period(*, actor, regime, organisation, year: int, number: int):
    """The checks that come before any value: the caller submits for ``organisation``, which
    reports under ``regime``, and the period exists and is cut off. Returns the cut-off day;
    PermissionDenied or ValidationError (Vietnamese) otherwise."""
    policy.check(actor, scopes.SUBMIT, Submission(organisation=organisation))
    if not regime.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(_("This organisation does not report under this regime."))
    day = _cutoff(regime, year, number)
    if timezone.localdate() < day:
        raise ValidationError(_("The period's data is not cut off yet."))
    return day


def examine(
    *, actor, regime, organisation, year: int, number: int, entries: list[Entry]
) -> Examination:
    """Every check of :func:`submit`, writing nothing: the web form (as one types), the .xlsx
    upload and the API all go through it. Raises for a refusal of the whole (the caller, the
    organisation, the period, no value); returns the problems of the values otherwise."""
    day = check_period(
        actor=actor, regime=regime, organisation=organisation, year=year, number=number
    )
    if not entries:
        raise ValidationError(_("Give at least one value."))
    rows, errors = _parse(regime, organisation, day, entries)
    warnings = []
    if not errors:  # rules on a half-read report would only repeat the errors
        errors, warnings = check_rules(regime, organisation, year, number, rows)
    return Examination(rows=rows, errors=errors, warnings=warnings)


def check_rules(
    regime, organisation, year: int, number: int, rows
) -> tuple[list[Problem], list[dict]]:
    """The regime's validation rules on a report's values (rows of (indicator, disaggregation,
    value)), against the organisation's previous period: the blocking problems and the
    warnings. A submission and a revision of an approved report go through it."""
    errors, warnings = [], []
    previous = rules.previous_values(regime, organisation, year, number)
    current = rules.totals((i.pk, d, v) for i, d, v in rows)
    before = rules.totals((i, d, v) for (i, d), v in previous.items())
    for broken in rules.evaluate(regime, current, before):
        if broken.blocking:
            errors.append(Problem(broken.message, indicator=broken.indicator))
        else:
            warnings.append(broken.as_warning())
    return errors, warnings


def submit(
    *,
    actor,
    regime,
    organisation,
    year: int,
    number: int,
    entries: list[Entry],
    confirm=False,
    expected: tuple | None = None,
) -> Submission:
    """``expected``: the :func:`version_of` the values were prepared against; checked under the
    submission's lock (Stale otherwise), so that of two senders of the same version only the
    first replaces the values."""
    found = examine(
        actor=actor,
        regime=regime,
        organisation=organisation,
        year=year,
        number=number,
        entries=entries,
    )
    found.raise_if_refused(confirm)
    rows, warnings = found.rows, found.warnings
    user = policy.actor_of(actor)
    with transaction.atomic():
        submission, created = Submission.objects.select_for_update().get_or_create(
            regime=regime,
            organisation=organisation,
            year=year,
            number=number,
            defaults={"submitted_at": timezone.now()},
        )
        if expected is not None and expected != version_of(None if created else submission):
            raise Stale(
                _(
                    "The values were prepared for an earlier version of this report, which has "
                    "been sent or corrected since: read the report again and send its new values."
                )
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
        comments = {(e.indicator, e.disaggregation): str(e.comment or "").strip() for e in entries}
        DataValue.objects.bulk_create(
            DataValue(
                submission=submission,
                indicator=i,
                disaggregation=d,
                value=v,
                comment=comments.get((i.key, d), ""),
            )
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
