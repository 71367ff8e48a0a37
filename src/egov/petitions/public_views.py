"""The public pages: published petitions and their answers (searchable without diacritics,
filtered by organisation, sector and category), one published petition with its timeline and
deadline clocks, and the reaction of a logged-in reader. The submitter's name shows only with
their consent; their ID number and e-mail never."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.catalog.models import Sector
from egov.core.models import Organisation
from egov.core.web import error_messages
from egov.petitions.models import Category, Petition, Reaction, Status
from egov.petitions.services import public
from egov.petitions.timeline import timeline

PAGE_SIZE = 20


def _chosen(model, value, field="code"):
    value = (value or "").strip()
    if not value:
        return None
    return model.objects.filter(**{field: value}).order_by("-pk").first()


@require_GET
def published(request):
    query = (request.GET.get("q") or "").strip()[:200]
    organisation = _chosen(Organisation, request.GET.get("organisation"))
    sector = _chosen(Sector, request.GET.get("sector"))
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    page = public.page(
        query,
        organisation=organisation,
        sector=sector,
        category=category,
        before=request.GET.get("before", ""),
        after=request.GET.get("after", ""),
        size=PAGE_SIZE,
    )
    answering, sectors = public.filter_choices()
    return render(
        request,
        "petitions/published.html",
        {
            "page": page,
            "q": query,
            "organisation": organisation,
            "sector": sector,
            "category": category,
            "organisations": answering,
            "sectors": sectors,
            "categories": Category.choices,
        },
    )


def _published(code) -> Petition:
    return get_object_or_404(
        Petition.objects.select_related("answered_by", "organisation", "procedure"),
        code=code,
        status=Status.PUBLISHED,
    )


def _page(request, petition, *, errors=(), status=200):
    counts = Reaction.objects.filter(petition=petition).aggregate(
        n_useful=Count("pk", filter=Q(useful=True)),
        n_not_useful=Count("pk", filter=Q(useful=False)),
    )
    mine = None
    if request.user.is_authenticated:
        mine = Reaction.objects.filter(petition=petition, user=request.user).first()
    return render(
        request,
        "petitions/public_detail.html",
        {
            "petition": petition,
            "timeline": timeline(petition),
            "counts": counts,
            "mine": mine,
            "errors": errors,
        },
        status=status,
    )


@require_GET
def published_detail(request, code):
    return _page(request, _published(code))


@login_required
@require_POST
def react(request, code):
    petition = _published(code)
    choice = request.POST.get("useful")
    if choice not in {"yes", "no"}:
        return _page(
            request, petition, errors=[_("Say whether the answer was useful.")], status=400
        )
    try:
        public.react(request, petition, useful=choice == "yes")
    except PermissionDenied as exc:
        return _page(request, petition, errors=[str(exc)], status=403)
    except ValidationError as exc:
        return _page(request, petition, errors=error_messages(exc), status=400)
    return redirect("petitions:published-detail", petition.code)
