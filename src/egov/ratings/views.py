"""The ratings' pages: the applicant's rating form (from their dossier page, a plain form round
trip), the officials' list of their organisations' ratings with the comments and one dossier's
rating, and the public aggregates (no names, no comments).

Views are thin: writes go through egov.ratings.services; every read is checked with the policy
(the dossier through egov.dossiers.access, ratings through ``ratings.read``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts import policy
from egov.accounts.decorators import official_required
from egov.accounts.oidc.decorators import require_assurance
from egov.core.error_pages import PageNotFound
from egov.core.models import Organisation
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers.access import can_see
from egov.dossiers.models import Dossier, Status
from egov.ratings import figures, scopes, services
from egov.ratings.errors import RatingError, RatingRefused
from egov.ratings.models import Level, SatisfactionRating

PAGE_SIZE = 50


def _dossier(request, code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related("organisation", "procedure_version")
        .filter(code=code)
        .first()
    )
    if dossier is None or not can_see(request.user, dossier_scopes.READ, dossier):
        raise PageNotFound(_("No dossier you may see has this code."))
    return dossier


def _posted(request) -> services.RatingData:
    scores = {
        key.removeprefix("score-"): value
        for key, value in request.POST.items()
        if key.startswith("score-")
    }
    return services.RatingData(
        scores=scores,
        disliked=request.POST.get("disliked") == "1",
        dislike_reason=request.POST.get("dislike_reason", ""),
        comment=request.POST.get("comment", ""),
    )


def _messages(exc: RatingError) -> tuple[list[str], dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
        return [m for messages in fields.values() for m in messages], fields
    return list(exc.messages), {}


@require_assurance(1)
@require_http_methods(["GET", "POST"])
def rate(request, code):
    """The applicant rates (or changes the rating of) their returned dossier."""
    dossier = _dossier(request, code)
    citizen = services.applicant_of(request.user, dossier)
    if citizen is None:
        raise PermissionDenied(_("Only the dossier's applicant may rate it."))
    rating = services.rating_of(dossier, citizen)
    criteria_set = rating.criteria_set if rating else services.current_set()
    errors: list[str] = []
    fields: dict[str, list[str]] = {}
    status = 200
    given = _posted(request) if request.method == "POST" else None
    if request.method == "POST":
        try:
            if rating is None:
                services.rate(dossier, actor=request.user, data=given)
            else:
                services.change(dossier, actor=request.user, data=given)
        except RatingRefused as exc:
            errors, status = list(exc.messages), 409
        except RatingError as exc:
            (errors, fields), status = _messages(exc), 400
        else:
            return redirect(reverse("ratings:rate", args=[dossier.code]) + "?saved=1")
    elif dossier.status != Status.RESULT_RETURNED:
        errors, status = [_not_returned()], 409
    frozen = rating is not None and not _changeable(rating)
    current = {s.criterion_id: s.score for s in rating.scores.all()} if rating else {}
    criteria = []
    for criterion in criteria_set.criteria.all() if criteria_set else []:
        value = given.scores.get(criterion.code) if given else current.get(criterion.pk)
        criteria.append(
            {
                "criterion": criterion,
                "value": str(value or ""),
                "errors": fields.get(f"scores.{criterion.code}", []),
            }
        )
    return render(
        request,
        "ratings/rate.html",
        {
            "dossier": dossier,
            "rating": rating,
            "criteria": criteria,
            "levels": [(str(v), label) for v, label in Level.choices],
            "errors": errors,
            "fields": fields,
            "frozen": frozen,
            "open": dossier.status == Status.RESULT_RETURNED and not frozen,
            "saved": request.GET.get("saved") == "1" and request.method == "GET",
            "disliked": given.disliked if given else bool(rating and rating.disliked),
            "dislike_reason": given.dislike_reason
            if given
            else getattr(rating, "dislike_reason", ""),
            "comment": given.comment if given else getattr(rating, "comment", ""),
        },
        status=status,
    )


def _not_returned() -> str:
    return _("A dossier can be rated only after its result has been returned.")


def _changeable(rating: SatisfactionRating) -> bool:
    return timezone.now() < rating.frozen_at


def _visible(request):
    return policy.scope_queryset(request.user, scopes.READ, SatisfactionRating.objects.all())


@official_required
@require_GET
def official_list(request):
    """Ratings of the official's organisations' dossiers, newest first, with the comments."""
    qs = _visible(request).select_related("dossier", "organisation", "procedure")
    if request.GET.get("disliked") == "1":
        qs = qs.filter(disliked=True)
    page = Paginator(qs.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/list.html",
        {"page": page, "ratings": page.object_list, "disliked": request.GET.get("disliked") == "1"},
    )


@official_required
@require_GET
def official_dossier(request, code):
    """One dossier's rating, criterion by criterion (linked from the officials' dossier page)."""
    ratings = list(
        _visible(request)
        .filter(dossier__code=code)
        .select_related("dossier", "organisation", "procedure", "criteria_set")
        .prefetch_related("scores__criterion")
    )
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None or not (ratings or can_see(request.user, dossier_scopes.READ, dossier)):
        raise PageNotFound(_("No dossier you may see has this code."))
    return render(request, "ratings/dossier.html", {"dossier": dossier, "ratings": ratings})


@require_GET
def public(request):
    """Anonymous aggregates: per organisation, or per procedure at one organisation."""
    code = (request.GET.get("organisation") or "").strip()[:40]
    organisation = None
    if code:
        organisation = Organisation.objects.filter(code=code).order_by("-pk").first()
        if organisation is None:
            raise PageNotFound(_("No agency has this code."))
    rows = figures.public_rows(
        organisation_id=organisation.pk if organisation else None,
        by_procedure=organisation is not None,
    )
    criteria_set = services.current_set()
    criteria = list(criteria_set.criteria.all()) if criteria_set else []
    for row in rows:
        row.columns = [row.averages.get(c.code) for c in criteria]
    return render(
        request,
        "ratings/public.html",
        {"rows": rows, "criteria": criteria, "organisation": organisation},
    )
