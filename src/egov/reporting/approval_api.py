"""The approval and aggregation API (issue 18, §4-5):

- ``GET /reporting/approvals/?regime=&organisation=&year=&number=`` (``reports.read``): an
  approval unit's state, its lower units and the acts the caller may make now;
- ``POST /reporting/approvals/{act}/`` (``reports.approve``): one act of the act table
  (``egov.reporting.approval_acts``) on a unit; ``reason`` for an exemption;
- ``POST /reporting/revisions/`` (``reports.approve``): correct an approved report's values,
  with the reason; ``GET /reporting/revisions/?submission=`` (``reports.read``) lists them;
- ``GET /reporting/aggregates/?regime=&indicator=&year=&number=[&organisation=][&disaggregation=]``
  (``reports.read``): a figure from the maintained aggregates and its drill-down;
- ``GET /reporting/completeness/?regime=&year=[&number=]`` (``reports.read``): completeness and
  timeliness per period and level.

Every read checks the caller's scope on the organisation asked for; bad input answers 400 in
Vietnamese and nothing is written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core.models import Organisation

from . import approval_acts as acts
from . import figures, scopes
from .models import Indicator, ReportingRegime, Revision, Submission
from .services import approval as services
from .services.submissions import Entry, WarningsToConfirm


class UnitQuery(serializers.Serializer):
    regime = serializers.CharField(help_text=gettext_lazy("Reporting regime code"))
    organisation = serializers.CharField(help_text=gettext_lazy("Electronic identification code"))
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    number = serializers.IntegerField(min_value=1, max_value=12, default=1)


class ActInput(UnitQuery):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class LowerSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    status = serializers.CharField()


class UnitSerializer(serializers.Serializer):
    regime = serializers.CharField()
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=list(acts.STATE_LABELS))
    state_label = serializers.CharField()
    submission = serializers.IntegerField(allow_null=True)
    approved_by = serializers.CharField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    accepted_by = serializers.CharField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    lower = LowerSerializer(many=True)
    acts = serializers.ListField(child=serializers.CharField())


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


def _regime(code) -> ReportingRegime:
    regime = ReportingRegime.objects.filter(code=code).first()
    if regime is None:
        raise ValidationError({"regime": [_("Unknown reporting regime.")]})
    return regime


def _organisation(code) -> Organisation:
    organisation = Organisation.objects.filter(code=code).select_related("parent").first()
    if organisation is None:
        raise ValidationError({"organisation": [_("Unknown organisation.")]})
    return organisation


def unit_data(request, unit: services.Unit) -> dict:
    approval = unit.approval
    lower = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.filter(pk__in=list(unit.lower)).values_list(
            "pk", "code", "name"
        )
    }
    return {
        "regime": unit.regime.code,
        "organisation": unit.organisation.code,
        "organisation_name": unit.organisation.name,
        "year": unit.year,
        "number": unit.number,
        "state": unit.state,
        "state_label": str(acts.STATE_LABELS[unit.state]),
        "submission": unit.submission.pk if unit.submission else None,
        "approved_by": _name(approval.approved_by) if approval else None,
        "approved_at": approval.approved_at if approval else None,
        "accepted_by": _name(approval.accepted_by) if approval else None,
        "accepted_at": approval.accepted_at if approval else None,
        "reason": approval.reason if approval else "",
        "lower": [
            {
                "organisation": lower[pk][0],
                "organisation_name": lower[pk][1],
                "status": status or "unapproved",
            }
            for pk, status in sorted(unit.lower.items(), key=lambda item: lower[item[0]][0])
        ],
        "acts": [a.name for a in acts.allowed_acts(unit, services.may(request, unit))],
    }


@extend_schema(tags=["reporting"])
class ApprovalViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.READ, "act": scopes.APPROVE}
    serializer_class = UnitSerializer
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("Get an approval unit's state, its lower units and your acts"),
        parameters=[UnitQuery],
        responses={200: UnitSerializer},
    )
    def list(self, request):
        query = UnitQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        regime, organisation = _regime(v["regime"]), _organisation(v["organisation"])
        policy.check(request, scopes.READ, organisation)
        unit = services.load(regime, organisation, v["year"], v["number"])
        return Response(unit_data(request, unit))

    @extend_schema(
        summary=gettext_lazy("Approve, accept, exempt, or undo one of them, on an approval unit"),
        parameters=[
            OpenApiParameter("act", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[*acts.ACTS])
        ],
        request=ActInput,
        responses={200: UnitSerializer},
    )
    @action(detail=False, methods=["post"], url_path=r"(?P<act>[a-z]+)")
    def act(self, request, act: str):
        if act not in acts.ACTS:
            raise ValidationError(_("Unknown approval act."))
        data = ActInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit = services.act(
            actor=request,
            name=act,
            regime=_regime(v["regime"]),
            organisation=_organisation(v["organisation"]),
            year=v["year"],
            number=v["number"],
            reason=v["reason"],
        )
        return Response(unit_data(request, unit))


class RevisionInput(serializers.Serializer):
    submission = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)
    values = serializers.ListField(
        child=inline_serializer(
            "RevisionValue",
            {
                "indicator": serializers.CharField(),
                "disaggregation": serializers.CharField(
                    required=False, allow_blank=True, default=""
                ),
                "value": serializers.DecimalField(max_digits=24, decimal_places=6),
            },
        ),
        allow_empty=False,
        max_length=10000,
    )
    confirm_warnings = serializers.BooleanField(default=False)


class RevisionQuery(serializers.Serializer):
    submission = serializers.IntegerField()


class RevisionSerializer(serializers.Serializer):
    submission = serializers.IntegerField(source="submission_id")
    number = serializers.IntegerField()
    made_by = serializers.SerializerMethodField()
    made_at = serializers.DateTimeField()
    reason = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())

    def get_made_by(self, revision) -> str | None:
        return _name(revision.made_by)


@extend_schema(tags=["reporting"])
class RevisionViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"create": scopes.APPROVE, "list": scopes.READ}
    serializer_class = RevisionSerializer
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("List a report's revisions: who changed what, when and why"),
        parameters=[RevisionQuery],
        responses={200: RevisionSerializer(many=True)},
    )
    def list(self, request):
        query = RevisionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        revisions = (
            policy.scope_queryset(request, scopes.READ, Revision.objects.all())
            .filter(submission_id=query.validated_data["submission"])
            .select_related("made_by")
            .order_by("number")
        )
        return Response(RevisionSerializer(revisions, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Correct an approved report's values, with the reason"),
        request=RevisionInput,
        responses={201: RevisionSerializer},
    )
    def create(self, request):
        data = RevisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        submission = (
            policy.scope_queryset(request, scopes.READ, Submission.objects.all())
            .select_related("regime", "organisation")
            .filter(pk=v["submission"])
            .first()
        )
        if submission is None:
            raise ValidationError({"submission": [_("Unknown submission.")]})
        try:
            revision = services.revise(
                actor=request,
                submission=submission,
                entries=[
                    Entry(x["indicator"], x["value"], x["disaggregation"]) for x in v["values"]
                ],
                reason=v["reason"],
                confirm=v["confirm_warnings"],
            )
        except WarningsToConfirm as exc:
            raise ValidationError({"warnings": exc.messages}) from exc
        return Response(RevisionSerializer(revision).data, status=201)


class FigureQuery(serializers.Serializer):
    regime = serializers.CharField(help_text=gettext_lazy("Reporting regime code"))
    indicator = serializers.CharField(help_text=gettext_lazy("Indicator key"))
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    number = serializers.IntegerField(min_value=1, max_value=12, default=1)
    organisation = serializers.CharField(
        required=False, default="", allow_blank=True, help_text=gettext_lazy("Empty: the nation")
    )
    disaggregation = serializers.CharField(required=False, default="", allow_blank=True)


class PartSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    weight = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    count = serializers.IntegerField()


class SourceSerializer(serializers.Serializer):
    submission = serializers.IntegerField(source="submission.pk")
    value = serializers.DecimalField(source="value.value", max_digits=24, decimal_places=6)
    submitted_by = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(source="submission.submitted_at")
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.DateTimeField(source="approval.approved_at")
    status = serializers.CharField(source="approval.status")

    def get_submitted_by(self, row) -> str | None:
        return _name(row["submission"].submitted_by)

    def get_approved_by(self, row) -> str | None:
        return _name(row["approval"].approved_by)


class FormulaInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.key")
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)


class FormulaSerializer(serializers.Serializer):
    """A formula indicator's computation here (formulas.py): its inputs' figures, and why
    there is no figure when there is none (an input missing, a zero divisor)."""

    reason = serializers.CharField()
    inputs = FormulaInputSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.code", allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", allow_null=True)
    value = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    weight = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    count = serializers.IntegerField()
    additive = serializers.BooleanField()
    parts = PartSerializer(many=True)
    own = SourceSerializer(many=True)
    formula = FormulaSerializer(allow_null=True)


@extend_schema(tags=["reporting"])
class AggregateViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.READ}
    serializer_class = FigureSerializer
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("Read a figure and drill down to the level below and its sources"),
        parameters=[FigureQuery],
        responses={200: FigureSerializer},
    )
    def list(self, request):
        query = FigureQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        regime = _regime(v["regime"])
        indicator = Indicator.objects.select_related("weight").filter(key=v["indicator"]).first()
        if indicator is None:
            raise ValidationError({"indicator": [_("Unknown indicator.")]})
        organisation = _organisation(v["organisation"]) if v["organisation"] else None
        result = figures.drilldown(
            request,
            regime=regime,
            indicator=indicator,
            year=v["year"],
            number=v["number"],
            organisation=organisation,
            disaggregation=v["disaggregation"],
        )
        return Response(FigureSerializer(result).data)


class CompletenessQuery(serializers.Serializer):
    regime = serializers.CharField(help_text=gettext_lazy("Reporting regime code"))
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    number = serializers.IntegerField(min_value=1, max_value=12, required=False)


class CompletenessSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    level = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    approved = serializers.IntegerField()
    completeness = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    timeliness = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


@extend_schema(tags=["reporting"])
class CompletenessViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.READ}
    serializer_class = CompletenessSerializer
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("Completeness and timeliness per period and level"),
        parameters=[CompletenessQuery],
        responses={200: CompletenessSerializer(many=True)},
    )
    def list(self, request):
        query = CompletenessQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        regime = _regime(v["regime"])
        try:
            rows = figures.completeness(
                request, regime=regime, year=v["year"], number=v.get("number")
            )
        except ValueError as exc:
            raise ValidationError(_("There is no such reporting period.")) from exc
        return Response(CompletenessSerializer(rows, many=True).data)
