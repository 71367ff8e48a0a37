"""Procedure search: the one function the API and the portal call.

Contract (agreed between the catalogue (4a) and the portal/search work (4b)):

    search(query: str, *, sector=None, level=None, agency=None, online_level=None)
        -> QuerySet[Procedure]

- ``query``: what the citizen typed, with or without diacritics; "" means no text filter.
- ``sector``: a Sector (or its id or code); ``level``: a core Level value ("commune" ...);
  ``agency``: an Organisation (or its id or electronic code);
  ``online_level``: an OnlineLevel value.
- Returns a queryset of Procedure, best match first, with status active.

THIS BODY IS A TEMPORARY FALLBACK: every folded query word must occur (``contains``) in
``Procedure.search_text`` (maintained by egov.catalog.services; folded with egov.core.text.fold),
ordered by code. 4b replaces the body with FTS5 / PostgreSQL full-text ranking and typo tolerance,
keeping the signature.
"""

from __future__ import annotations

from django.db.models import QuerySet

from egov.catalog.models import Procedure, ProcedureStatus
from egov.core.text import fold


def apply_filters(qs: QuerySet, *, sector=None, level=None, agency=None, online_level=None):
    """The non-text filters, shared by every search implementation."""
    if sector not in (None, ""):
        if hasattr(sector, "pk"):
            qs = qs.filter(sectors=sector)
        elif str(sector).isdigit():
            qs = qs.filter(sectors__id=int(sector))
        else:
            qs = qs.filter(sectors__code=sector)
    if level not in (None, ""):
        qs = qs.filter(levels__contains=str(level))
    if agency not in (None, ""):
        if hasattr(agency, "pk"):
            qs = qs.filter(agencies=agency)
        elif str(agency).isdigit():
            qs = qs.filter(agencies__id=int(agency))
        else:
            qs = qs.filter(agencies__code=agency)
    if online_level not in (None, ""):
        qs = qs.filter(online_level=online_level)
    return qs


def search(
    query: str, *, sector=None, level=None, agency=None, online_level=None
) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(status=ProcedureStatus.ACTIVE)
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    qs = apply_filters(qs, sector=sector, level=level, agency=agency, online_level=online_level)
    if sector not in (None, "") or agency not in (None, ""):
        qs = qs.distinct()
    return qs.order_by("code")
