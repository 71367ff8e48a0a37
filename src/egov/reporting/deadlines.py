"""The rules a regime's deadlines keep, and the dates they fall on.

Decree 09/2019/NĐ-CP: a report is due after its data's cut-off, and in a regime that passes
through levels each level sends it on before the next level's own deadline (commune < province
< ministry < Government). A deadline is a number of working days after the cut-off; the dates
come from the working calendar (egov.core.calendar), so a cut-off before Tết pushes every
level's deadline past the holiday, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.core.calendar import WorkingCalendar

from .models import LEVEL_ORDER, RegimeKind, ReportingLevel
from .periods import Period, cutoff, working_days_after


def check_regime(
    *, kind: str, periodicity: str, cutoff_date: date | None, stages: Iterable[tuple[str, int]]
) -> None:
    """Raise a ValidationError (in Vietnamese) when the regime breaks a rule; else return."""
    stages = list(stages)
    errors = []
    if kind not in RegimeKind.values:
        errors.append(_("Choose the kind of reporting regime."))
    elif kind == RegimeKind.PERIODIC and not periodicity:
        errors.append(_("A periodic reporting regime needs its period (month, quarter...)."))
    elif kind != RegimeKind.PERIODIC and cutoff_date is None:
        errors.append(_("A thematic or ad hoc reporting regime needs its cut-off date."))
    if not stages:
        errors.append(_("Give the deadline of at least one level."))
    levels = [level for level, _days in stages]
    if any(level not in LEVEL_ORDER for level in levels):
        errors.append(_("Unknown reporting level."))
        raise ValidationError(errors)
    if len(set(levels)) != len(levels):
        errors.append(_("Each level has one deadline."))
    for level, days in stages:
        if days < 1:
            errors.append(
                _("The %(level)s deadline must be at least one working day after the cut-off date.")
                % {"level": ReportingLevel(level).label}
            )
    ordered = sorted(stages, key=lambda stage: LEVEL_ORDER[stage[0]])
    for (lower, lower_days), (upper, upper_days) in zip(ordered, ordered[1:], strict=False):
        if lower_days >= upper_days:
            errors.append(
                _(
                    "The %(lower)s deadline (%(lower_days)s working days after the cut-off) "
                    "must come before the %(upper)s deadline (%(upper_days)s working days)."
                )
                % {
                    "lower": ReportingLevel(lower).label,
                    "lower_days": lower_days,
                    "upper": ReportingLevel(upper).label,
                    "upper_days": upper_days,
                }
            )
    if errors:
        raise ValidationError(errors)


def stage_deadline(
    stage, period: Period | None = None, calendar: WorkingCalendar | None = None
) -> date:
    """The day ``stage``'s level must have sent the report of ``period`` (periodic regimes)."""
    regime = stage.regime
    if regime.kind == RegimeKind.PERIODIC:
        if period is None:
            raise ValueError("a periodic regime's deadline needs a period")
        day = cutoff(period, regime.convention)
    else:
        day = regime.cutoff
    calendar = calendar or WorkingCalendar.for_organisation(None)
    return working_days_after(day, stage.working_days_after_cutoff, calendar.is_working_day)
