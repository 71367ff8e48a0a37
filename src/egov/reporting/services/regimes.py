"""Saving a reporting regime: the deadline rules checked, one transaction, one audit row."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from egov.core.services import audit

from ..deadlines import check_regime
from ..models import RegimeStage, ReportingRegime
from ..periods import Convention


def create_regime(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    stages: dict[str, int],
    periodicity: str = "",
    convention: str = Convention.DECREE_09,
    cutoff: date | None = None,
    legal_basis: str = "",
    indicators=(),
    organisations=(),
) -> ReportingRegime:
    """Create a regime with its levels' deadlines (``{level: working days after the cut-off}``).

    A regime whose deadlines break Decree 09's rules is refused with a ValidationError and
    nothing is written."""
    check_regime(kind=kind, periodicity=periodicity, cutoff_date=cutoff, stages=stages.items())
    with transaction.atomic():
        regime = ReportingRegime(
            code=code,
            name=name,
            kind=kind,
            periodicity=periodicity,
            convention=convention,
            cutoff=cutoff,
            legal_basis=legal_basis,
        )
        regime.full_clean()
        regime.save()
        RegimeStage.objects.bulk_create(
            RegimeStage(regime=regime, level=level, working_days_after_cutoff=days)
            for level, days in stages.items()
        )
        regime.indicators.set(indicators)
        regime.organisations.set(organisations)
        audit.record(
            actor=actor,
            action="reporting.regime_created",
            obj=regime,
            summary={"code": code, "kind": kind, "stages": stages},
        )
    return regime
