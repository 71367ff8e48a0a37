"""The drafting agency's pages: its consultations with their counts, a consultation's
unanswered comments answered one by one or a selection at once (accepted with the changed
clause of a later version, or explained with the reason), the act table's acts (the gate's
refusal shown before and after the button), and the moderation queue. Views only read the
selectors and call the services; a refusal answers 4xx with the reason and changes nothing.
No JavaScript needed: with htmx, answering and the moderation's hide and restore swap the
affected part in place (the same URLs; an ``HX-Request`` gets the fragment, not the redirect)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.consultation import acts, scopes, services
from egov.consultation import official_selectors as selectors
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import AnswerKind, Comment, ReportReason
from egov.core.error_pages import PageNotFound
from egov.core.web import error_messages

PAGE_SIZE = 50
ANSWERED_SHOWN = 20


def _consultation(request, code):
    consultation = selectors.readable(request, code)
    if consultation is None:
        raise PageNotFound(_("No consultation of your organisation has this code."))
    return consultation


@official_required
@require_GET
def workspace(request):
    page = Paginator(selectors.workspace(request), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_days_left(page.object_list)
    return render(
        request,
        "consultation/officials/workspace.html",
        {
            "page": page,
            "may_moderate": policy.can(request, scopes.MODERATE),
            "may_manage": policy.can(request, scopes.MANAGE),
        },
    )


def _page(request, consultation, *, errors=(), posted=None, status=200, fragment=False, done=""):
    """The consultation's page; ``fragment``: only its answering part (htmx swaps it in, the
    comment counts refreshed out of band), with the refusal or ``done`` shown in it."""
    counted = selectors.workspace(request).get(pk=consultation.pk)
    page = Paginator(selectors.unanswered(consultation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    comments = selectors.name_comments(list(page.object_list))
    answered = selectors.name_comments(list(selectors.answered(consultation)[:ANSWERED_SHOWN]))
    latest, units = selectors.changed_units(consultation)
    posted = posted or {}
    return render(
        request,
        "consultation/officials/_answering.html"
        if fragment
        else "consultation/officials/consultation.html",
        {
            "fragment": fragment,
            "done": done,
            "consultation": consultation,
            "counted": counted,
            "days_left": services.days_left(consultation),
            "page": page,
            "comments": comments,
            "answered": answered,
            "latest": latest,
            "units": units,
            "acts": selectors.offered_acts(consultation, request),
            "may_answer": policy.can(request, scopes.ANSWER, consultation),
            "may_moderate": policy.can(request, scopes.MODERATE, consultation),
            "answer_kinds": AnswerKind.choices,
            "errors": errors,
            "posted": posted,
            "selected": {int(i) for i in posted.get("comments", []) if str(i).isdigit()},
            "summary": getattr(consultation, "summary_table", None),
        },
        status=status,
    )


@official_required
@require_GET
def consultation_page(request, code):
    return _page(request, _consultation(request, code))


def _posted(request) -> dict:
    return {
        "comments": request.POST.getlist("comments"),
        "kind": request.POST.get("kind", ""),
        "text": request.POST.get("text", ""),
        "changed_anchor": request.POST.get("changed_anchor", ""),
    }


@official_required
@require_POST
def answer(request, code):
    """Answer the selected comments together (one comment, or a group of them)."""
    consultation = _consultation(request, code)
    posted = _posted(request)
    # htmx: the answering part of the page comes back in place, refusal or not.
    shown = {"posted": posted, "fragment": bool(request.htmx)}
    ids = posted["comments"]
    if not all(i.isdigit() for i in ids):
        return _page(
            request,
            consultation,
            errors=[_("Some comments are not of this consultation.")],
            status=400,
            **shown,
        )
    try:
        services.answer(
            request,
            consultation,
            [int(i) for i in ids],
            kind=posted["kind"],
            text=posted["text"],
            changed_anchor=posted["changed_anchor"] if posted["kind"] == "accepted" else "",
        )
    except PermissionDenied as exc:
        return _page(request, consultation, errors=[str(exc)], status=403, **shown)
    except IllegalTransition as exc:
        return _page(request, consultation, errors=error_messages(exc), status=409, **shown)
    except ValidationError as exc:
        return _page(request, consultation, errors=error_messages(exc), status=400, **shown)
    done = (
        _("%(n)d comments answered.") % {"n": len(ids)}
        if len(ids) > 1
        else _("The comment is answered.")
    )
    if request.htmx:
        return _page(request, consultation, fragment=True, done=done)
    messages.success(request, done)
    return redirect("consultation:official-detail", consultation.code)


@official_required
@require_POST
def act(request, code, act):
    """One act of the act table (open the debate, open or close comments, publish the
    result): refused by the phase or the gate, the page again with the reason (409)."""
    consultation = _consultation(request, code)
    spec = next((a for a in acts.ACTS.values() if a.slug == act), None)
    if spec is None:
        raise PageNotFound(_("No such act."))
    try:
        services.make(request, consultation, spec.name)
    except PermissionDenied as exc:
        return _page(request, consultation, errors=[str(exc)], status=403)
    except IllegalTransition as exc:
        return _page(request, consultation, errors=error_messages(exc), status=409)
    except ValidationError as exc:
        return _page(request, consultation, errors=error_messages(exc), status=400)
    messages.success(request, _("%(act)s: done.") % {"act": spec.done})
    return redirect("consultation:official-detail", consultation.code)


def _with_reasons(rows):
    for row in rows:
        row.reasons = [
            (label, getattr(row, f"reports_{value}"))
            for value, label in ReportReason.choices
            if getattr(row, f"reports_{value}")
        ]
    return rows


def _queue(request, *, code="", errors=(), status=200):
    """The queue of every consultation the official moderates, or of one (``code``)."""
    if not policy.can(request, scopes.MODERATE):
        raise PermissionDenied(_("Only the consultation's moderators may do this."))
    consultations = list(selectors.moderated(request))
    chosen = None
    if code:
        chosen = next((c for c in consultations if c.code == code), None)
        if chosen is None:
            raise PageNotFound(_("No consultation you moderate has this code."))
    page = Paginator(selectors.moderation_queue(request, chosen), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _with_reasons(selectors.name_comments(list(page.object_list)))
    return render(
        request,
        "consultation/officials/moderation.html",
        {
            "page": page,
            "rows": rows,
            "errors": errors,
            "consultations": consultations,
            "chosen": chosen,
        },
        status=status,
    )


@official_required
@require_GET
def moderation(request):
    return _queue(request, code=request.GET.get("consultation", "").strip())


@official_required
@require_POST
def moderate(request, pk, decision):
    """Hide (confirm a pending comment hidden, with the reason) or restore a comment."""
    comment = Comment.objects.select_related("consultation__organisation").filter(pk=pk).first()
    if comment is None or not policy.can(request, scopes.MODERATE, comment):
        raise PageNotFound(_("No comment you moderate has this number."))
    reason = request.POST.get("reason", "")
    # Back to the queue it was decided from: the consultation's own, or everyone's.
    code = comment.consultation.code if request.POST.get("consultation") else ""
    try:
        if decision == "hide":
            services.hide(request, comment, reason=reason)
            done = _("The comment is hidden; its text is kept for the moderators.")
        else:
            services.restore(request, comment, reason=reason)
            done = _("The comment is shown again.")
    except PermissionDenied as exc:
        return _refused(request, comment, code, [str(exc)], 403)
    except IllegalTransition as exc:
        return _refused(request, comment, code, error_messages(exc), 409)
    except ValidationError as exc:
        return _refused(request, comment, code, error_messages(exc), 400)
    if request.htmx:
        return _row(request, comment, code=code, done=done)
    messages.success(request, done)
    queue = reverse("consultation:moderation")
    return redirect(f"{queue}?{urlencode({'consultation': code})}" if code else queue)


def _refused(request, comment, code, errors, status):
    if request.htmx:
        return _row(request, comment, code=code, errors=errors, status=status)
    return _queue(request, code=code, errors=errors, status=status)


def _row(request, comment, *, code, done="", errors=(), status=200):
    """htmx: the comment's row of the queue as it is now, swapped in place of the one the
    decision was made on (the same row the page shows); gone from the queue, a row saying so."""
    found = _with_reasons(
        selectors.name_comments(
            list(selectors.moderation_queue(request, None).filter(pk=comment.pk))
        )
    )
    return render(
        request,
        "consultation/officials/_moderation_row.html",
        {
            "c": found[0] if found else comment,
            "gone": not found,
            "chosen": comment.consultation if code else None,
            "row_done": done,
            "row_errors": errors,
        },
        status=status,
    )
