"""Freezing closed months, and recomputing a frozen one (an explicit, audited act).

A frozen month keeps, for every ministry and province and every indicator of the version used,
the numerator, the denominator and the ids counted: its pages and lists never move with later
data or rules. Freezing again changes nothing; recomputing needs a reason and writes one audit
row with the totals before and after.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.services import audit

from .. import engine
from ..indicators import Scope
from ..models import Snapshot, SnapshotFigure
from ..periods import MONTH, Period


def _check_closed(period: Period) -> None:
    if period.kind != MONTH:
        raise ValidationError(_("Only a month is frozen."))
    if not period.is_closed:
        raise ValidationError(
            _("%(period)s is not over yet: only closed months are frozen.")
            % {"period": period.label}
        )


def _fill(snapshot: Snapshot, period: Period) -> int:
    organisations = list(engine.ranked_organisations())
    scope = Scope(organisations, everything=True)
    rows = []
    for indicator in engine.indicators_of(snapshot.version):
        counting = engine.count(indicator, period, scope, keys=True)
        for org in organisations:
            if not engine.applies(indicator, org):
                continue
            figure = counting.figures[org.pk]
            rows.append(
                SnapshotFigure(
                    snapshot=snapshot,
                    organisation=org,
                    indicator=indicator,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    na_reason=figure.na_reason,
                    numerator_ids=counting.numerator_ids.get(org.pk, []),
                    denominator_ids=counting.denominator_ids.get(org.pk, []),
                )
            )
    SnapshotFigure.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _totals(period: Period) -> dict[str, str]:
    return {
        card.organisation.code: (str(round(card.total, 2)) if card.total is not None else "N/A")
        for card in engine.scorecards(period)
    }


@transaction.atomic
def freeze(period: Period, *, actor=None) -> tuple[Snapshot, bool]:
    """Freeze a closed month with the version in force for it; (snapshot, made now)."""
    _check_closed(period)
    existing = Snapshot.objects.select_for_update().filter(month=period.first_day).first()
    if existing is not None:
        return existing, False
    snapshot = Snapshot.objects.create(
        version=engine.version_for(period),
        month=period.first_day,
        computed_at=timezone.now(),
        computed_by=actor if getattr(actor, "pk", None) else None,
    )
    count = _fill(snapshot, period)
    audit.record(
        actor=actor,
        action="serviceindex.freeze",
        obj=snapshot,
        summary={"month": period.slug, "version": snapshot.version.code, "figures": count},
    )
    return snapshot, True


@transaction.atomic
def recompute(period: Period, *, actor, reason: str) -> Snapshot:
    """Compute a frozen month again from today's data, with the version in force for it now."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the frozen month is recomputed."))
    snapshot = Snapshot.objects.select_for_update().filter(month=period.first_day).first()
    if snapshot is None:
        raise ValidationError(
            _("%(period)s is not frozen: freeze it first.") % {"period": period.label}
        )
    before = _totals(period)
    old_version = snapshot.version.code
    snapshot.figures.all().delete()
    snapshot.version = engine.version_for(period)
    snapshot.computed_at = timezone.now()
    snapshot.computed_by = actor if getattr(actor, "pk", None) else None
    snapshot.recomputed += 1
    snapshot.save()
    _fill(snapshot, period)
    after = _totals(period)
    audit.record(
        actor=actor,
        action="serviceindex.recompute",
        obj=snapshot,
        summary={
            "month": period.slug,
            "reason": reason,
            "version_before": old_version,
            "version": snapshot.version.code,
            "changed": {
                code: [before.get(code), total]
                for code, total in after.items()
                if before.get(code) != total
            },
        },
    )
    return snapshot
