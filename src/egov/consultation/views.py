"""The public pages: open consultations with the days left, and a consultation's draft with
the comments in the margin of each unit and the answers beside them (no login to read). A
person logged in with the e-ID comments from the same page (a plain form: no JavaScript)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.consultation import memo, selectors, services
from egov.consultation.models import Comment, Consultation, ReportReason
from egov.core.error_pages import PageNotFound
from egov.core.memo import Memo


def open_consultations(request):
    return render(
        request, "consultation/open.html", {"consultations": selectors.open_consultations()}
    )


def _can_comment(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "citizen"))


def _text_of(version, chapter, units) -> str:
    """Each unit's text and the opening of its margin (``unit.opening``), and the form's list of
    units, as HTML. A version's units never change (a new text is a new version), so they are
    rendered once per version, chapter and language and cached: the 1,810 units of a 300-article
    draft took most of the page's second (bench/README.md, "consultation")."""
    # created_at too: a database made again (tests, a restore) reuses the ids.
    part = chapter.anchor if chapter is not None else "all"
    key = f"consultation:text:{version.pk}:{version.created_at.timestamp()}:{part}:{get_language()}"
    text = cache.get(key)
    if text is None or len(text[0]) != len(units):
        openings = [render_to_string("consultation/_unit.html", {"unit": u}) for u in units]
        text = (openings, render_to_string("consultation/_options.html", {"units": units}))
        cache.set(key, text, 7 * 24 * 3600)
    for unit, opening in zip(units, text[0], strict=True):
        unit.opening = mark_safe(opening)  # noqa: S308 (rendered by the template, escaped there)
    return mark_safe(text[1])  # noqa: S308 (the same)


# Each shown comment's HTML, remembered per process: a comment never changes but for its
# answer (given once), its group's size, whether its words still stand in the latest version
# and whether its unit is gone from it; the key holds each, so a remembered one is never stale
# (hidden ones are not shown at all). Not the shared cache: the db cache keeps 300 entries and
# a chapter shows ~540 comments (a run with it thrashed: 0.3 pages/s). Rendering them was most
# of the page's time at 20,000 comments (bench/README.md, "consultation").
_REMEMBER = 5_000  # ~5 MB a process at most
_REMEMBERED = Memo(_REMEMBER)


def _comment_key(c, language: str) -> str:
    state = f"{int(getattr(c, 'outdated', False))}{int(bool(getattr(c, 'place_label', '')))}"
    # received_at too: a database made again (tests, a restore) reuses the ids.
    return f"{c.pk}:{c.received_at.timestamp()}:{c.answer_id}:{c.group_size}:{state}:{language}"


def _margins(page: dict) -> None:
    """Sets ``unit.margin_html`` and the page's ``general_html`` and ``earlier_html``: the
    comments' HTML, each rendered once per process (above)."""
    language, code = get_language(), page["consultation"].code
    units = page["units"]
    sections = [page["general"], page["earlier"], *(u.margin for u in units)]
    html = []
    for section in sections:
        parts = []
        for c in section:
            key = _comment_key(c, language)
            text = _REMEMBERED.get(key)
            if text is None:
                context = {"comments": [c], "phrases": page["phrases"], "code": code}
                text = render_to_string("consultation/_comments.html", context)
                _REMEMBERED.put(key, text)
            parts.append(text)
        html.append(mark_safe("".join(parts)))  # noqa: S308 (escaped by the template)
    page["general_html"], page["earlier_html"] = html[0], html[1]
    for unit, margin in zip(units, html[2:], strict=True):
        unit.margin_html = margin


def _body(page: dict) -> dict:
    """What of a draft page is the same for every reader: the body's HTML (``_body.html``),
    the form's list of units, and the header's version and counts."""
    page["options"] = _text_of(page["version"], page["chapter"], page["units"])
    _margins(page)
    return {
        "body": render_to_string("consultation/_body.html", page),
        "options": page["options"],
        "version_number": page["version"].number,
        "received": page["received"],
        "published": page["published"],
    }


def consultation_page(request, code, *, errors=None, posted=None, status=200):
    # A refused comment's page again: the chapter of the unit it was on (its form lists them).
    on = request.GET.get("on", "") or (posted or {}).get("anchor", "")
    on, chapter = on[:120], request.GET.get("chapter", "")[:120]
    consultation = selectors.page_consultation(code)
    if consultation is None:
        raise Http404
    # The body is remembered for the pages most read: a chapter as it opens. A refused
    # comment's page lists the units around the words typed, and ``?on=`` (every comment of a
    # unit) is followed from a link: both made each time.
    remembered = memo.enabled() and not errors and not posted and not on
    body = units = None
    if remembered:
        body, token = memo.recall(consultation, chapter, get_language())
    if body is None:
        page = selectors.draft_page(code, on=on, chapter=chapter, consultation=consultation)
        if page is None:
            raise Http404
        body, units = _body(page), page["units"]
        # Only under a chapter that is one: a short draft ignores ``?chapter=``, and any
        # string there must not make a key.
        shown = page["chapter"].anchor if page["chapter"] is not None else ""
        if remembered and chapter in ("", shown):
            memo.remember(consultation, chapter, get_language(), token, body)
    context = {
        **body,
        "body": mark_safe(body["body"]),  # noqa: S308 (rendered by the template, escaped there)
        "options": mark_safe(body["options"]),  # noqa: S308 (the same)
        "consultation": consultation,
        "days_left": selectors.days_left(consultation),
        "units": units,
        "can_comment": _can_comment(request),
        "errors": errors or [],
        "posted": posted or {},
    }
    return render(request, "consultation/detail.html", context, status=status)


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
        text=request.POST.get("text", ""),
        anchor=request.POST.get("anchor", ""),
        quote=request.POST.get("quote", ""),
    )
    try:
        made = services.submit(request, consultation, data)
    except ValidationError as exc:
        return consultation_page(
            request, code, errors=exc.messages, posted=request.POST, status=400
        )
    # ?on=: the page (the chapter) holding the unit, with all its comments, the new one among
    # them.
    on = quote(made.anchor or selectors.WHOLE_DRAFT, safe="")
    return redirect(reverse("consultation:detail", args=[code]) + f"?on={on}#comment-{made.pk}")


def _reported_comment(code, comment_id):
    """The comment of this consultation, with what its page shows; 404 for another's."""
    comment = (
        Comment.objects.select_related("consultation")
        .filter(pk=comment_id, consultation__code=code)
        .first()
    )
    if comment is None:
        raise PageNotFound(_("There is no such comment in this consultation."))
    return comment


@require_http_methods(["GET", "POST"])
def report_comment(request, code, comment_id):
    """A person logged in reports a published comment (spam, offensive, off topic). The link
    sits on each comment in the margin, the same for every reader (the margins are remembered
    for all, so no form with a CSRF token there): this page holds the form. Done, back to the
    comment with a message; refused (reported before, hidden since, no reason), this page again
    with the reason (400) and nothing changed."""
    if not getattr(request.user, "is_authenticated", False):
        return redirect(reverse("oidc-login") + "?next=" + quote(request.get_full_path()))
    comment = _reported_comment(code, comment_id)
    errors, status = [], 200
    if request.method == "POST":
        try:
            services.report(request, comment, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(request, _("Thank you: your report is sent to the moderators."))
            return redirect(reverse("consultation:detail", args=[code]) + f"#comment-{comment.pk}")
    elif not comment.published:
        raise PageNotFound(_("This comment is not published."))
    context = {
        "comment": comment,
        "consultation": comment.consultation,
        "reasons": ReportReason.choices,
        "chosen": request.POST.get("reason", ""),
        "errors": errors,
    }
    return render(request, "consultation/report.html", context, status=status)
