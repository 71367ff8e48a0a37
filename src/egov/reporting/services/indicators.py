"""Adding and changing indicators (administrators add the ones the data set lacks)."""

from __future__ import annotations

from django.db import transaction

from egov.core.services import audit

from ..models import Indicator


def save_indicator(indicator: Indicator, *, actor) -> Indicator:
    """Check and save ``indicator`` (new or changed) in one transaction with one audit row."""
    indicator.full_clean()
    created = indicator.pk is None
    with transaction.atomic():
        indicator.save()
        audit.record(
            actor=actor,
            action="reporting.indicator_added" if created else "reporting.indicator_changed",
            obj=indicator,
            summary={"key": indicator.key, "aggregation": indicator.aggregation},
        )
    return indicator
