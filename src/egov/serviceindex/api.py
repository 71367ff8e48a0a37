"""The index's API: the ranking and an organisation's figures (public, as published), and what
an organisation's indicators counted (``serviceindex.read`` at the organisation)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.core.models import Organisation

from . import access, engine, scopes
from .models import IndexIndicator
from .periods import Period
from .presenting import Line, group_name

PERIOD = OpenApiParameter(
    "period",
    str,
    description=gettext_lazy("A month (2026-11), a quarter (2026-Q4) or a year; default: now."),
)
INDICATOR = OpenApiParameter(
    "indicator",
    str,
    description=gettext_lazy("An indicator's code (e.g. 2.1): list the ids it counted."),
)


def _period(request) -> Period:
    text = request.query_params.get("period", "")
    try:
        return Period.parse(text) if text else Period.current_month()
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"period": exc.messages}) from exc


def _card(card) -> dict:
    def f(value):
        return None if value is None else float(value)

    return {
        "organisation": {
            "id": card.organisation.pk,
            "name": card.organisation.name,
            "level": card.organisation.level,
        },
        "total": f(card.total),
        "rebased": card.rebased,
        "groups": [
            {
                "key": g.group.key,
                "name": group_name(g.group),
                "maximum": f(g.maximum),
                "score": f(g.score),
                "rebased": g.rebased,
                "indicators": [Line.of(line).as_dict() for line in g.lines],
            }
            for g in card.groups
        ],
    }


def _head(period, card) -> dict:
    return {
        "period": period.slug,
        "version": card.version.code if card else None,
        "frozen_at": card.snapshot.computed_at if card and card.snapshot else None,
    }


class ServiceIndexViewSet(viewsets.GenericViewSet):
    queryset = Organisation.objects.all()
    required_scopes = {"list": None, "retrieve": None, "counted": scopes.READ}

    @extend_schema(
        operation_id="service_index_ranking",
        summary=gettext_lazy("The service index's ranking of ministries and provinces"),
        parameters=[PERIOD],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        period = _period(request)
        cards = engine.scorecards(period)
        return Response(
            {
                **_head(period, cards[0] if cards else None),
                "ranking": [_card(c) for c in cards],
            }
        )

    @extend_schema(
        operation_id="service_index_organisation",
        summary=gettext_lazy("An organisation's service index, every indicator's figures"),
        parameters=[PERIOD],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request, pk=None):
        organisation = self.get_object()
        period = _period(request)
        card = engine.scorecard(organisation, period)
        return Response({**_head(period, card), **_card(card)})

    @extend_schema(
        operation_id="service_index_counted",
        summary=gettext_lazy("What an organisation's service index counted"),
        parameters=[PERIOD, INDICATOR],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def counted(self, request, pk=None):
        organisation = self.get_object()
        if not access.may_list_personal(request, organisation):
            raise Http404
        period = _period(request)
        code = request.query_params.get("indicator", "")
        if not code:
            card = engine.scorecard(organisation, period)
            return Response({**_head(period, card), **_card(card)})
        snapshot = engine.frozen(period)
        version = snapshot.version if snapshot else engine.version_for(period)
        indicator = IndexIndicator.objects.filter(group__version=version, code=code).first()
        if indicator is None:
            raise exceptions.ValidationError(
                {"indicator": [_("No indicator “%(code)s” in this index.") % {"code": code}]}
            )
        trace = engine.trace(organisation, period, indicator)
        model = trace.model._meta.label_lower if trace.model else None
        return Response(
            {
                "period": period.slug,
                "version": version.code,
                "indicator": Line.of(trace.line).as_dict(),
                "model": model,
                "numerator_ids": sorted(trace.numerator.values_list("pk", flat=True))
                if trace.numerator is not None
                else [],
                "denominator_ids": sorted(trace.denominator.values_list("pk", flat=True))
                if trace.denominator is not None
                else [],
            }
        )
