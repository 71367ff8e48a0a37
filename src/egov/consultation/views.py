"""The public pages: open consultations with the days left, and a consultation's draft with
the comments in the margin of each unit and the answers beside them (no login to read). A
person logged in with the e-ID comments from the same page (a plain form: no JavaScript)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from egov.consultation import selectors, services
from egov.consultation.models import Consultation


def open_consultations(request):
    return render(
        request, "consultation/open.html", {"consultations": selectors.open_consultations()}
    )


def _can_comment(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


def consultation_page(request, code, *, errors=None, posted=None, status=200):
    page = selectors.draft_page(code, on=request.GET.get("on", "")[:120])
    if page is None:
        raise Http404
    page.update(can_comment=_can_comment(request), errors=errors or [], posted=posted or {})
    return render(request, "consultation/detail.html", page, status=status)


@require_POST
def comment(request, code):
    """A comment from the page's form: on success back to it at the comment; refused, the page
    again with the reason (400) and what was typed."""
    consultation = Consultation.objects.filter(code=code).first()
    if consultation is None:
        raise Http404
    if not _can_comment(request):
        raise PermissionDenied
    data = services.CommentData(
        text=request.POST.get("text", ""), anchor=request.POST.get("anchor", "")
    )
    try:
        made = services.submit(request, consultation, data)
    except ValidationError as exc:
        return consultation_page(
            request, code, errors=exc.messages, posted=request.POST, status=400
        )
    return redirect(reverse("consultation:detail", args=[code]) + f"#comment-{made.pk}")
