"""Choosing a document's recipients by the organisations' names, never by typing their codes.

Without JavaScript the register page's "Search" button sends the form back (nothing is
registered) with the organisations whose name matches; the clerk ticks them. With htmx the same
list follows the search field as the clerk types (``recipients``: the fragment only). The ticked
recipients are checkboxes named ``recipients`` holding organisation codes: a new search keeps
them, ticked, above the new matches.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.core.models import Organisation
from egov.core.text import fold

MAX_MATCHES = 20
QUERY = "recipient_q"


def _current():
    today = dt.date.today()
    return Organisation.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def matches(query: str, exclude=()) -> list[Organisation]:
    """Current organisations whose name holds every word of ``query`` (diacritics ignored)."""
    words = fold(query).split()
    if not words:
        return []
    qs = _current().exclude(code__in=list(exclude))
    for word in words[:8]:
        qs = qs.filter(search_name__contains=word)
    return list(qs.order_by("name", "code")[:MAX_MATCHES])


def chosen(codes) -> list[Organisation]:
    """The current organisations of ``codes`` (one query), in the order given."""
    wanted = [c for c in dict.fromkeys(str(c).strip() for c in codes) if c]
    found = {o.code: o for o in _current().filter(code__in=wanted).order_by("valid_from")}
    return [found[c] for c in wanted if c in found]


def picker(data) -> dict:
    """The picker's context from a GET or POST: the ticked recipients and the matches."""
    query = (data.get(QUERY) or "").strip()[:100]
    ticked = chosen(data.getlist("recipients")) if hasattr(data, "getlist") else []
    return {
        "recipient_q": query,
        "ticked": ticked,
        "matches": matches(query, exclude=[o.code for o in ticked]),
        "searched": bool(query),
    }


@login_required
@require_GET
def recipients(request):
    """The list of the picker (htmx swaps it in as the clerk types)."""
    return render(request, "exchange/_recipient_results.html", picker(request.GET))
