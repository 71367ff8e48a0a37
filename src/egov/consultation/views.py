"""The public pages: open consultations with the days left, and a consultation's draft with
the comments in the margin of each unit and the answers beside them (no login to read)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from egov.consultation import selectors


def open_consultations(request):
    return render(
        request, "consultation/open.html", {"consultations": selectors.open_consultations()}
    )


def consultation_page(request, code):
    page = selectors.draft_page(code)
    if page is None:
        raise Http404
    return render(request, "consultation/detail.html", page)
