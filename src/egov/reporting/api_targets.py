"""The indicators' targets (``models.targets``):

- ``GET /reporting/targets/[?indicator=][&organisation=]`` (``reports.read``): the targets for
  every organisation and those of the organisations the caller reads;
- ``GET /reporting/targets/{id}/`` (``reports.read``): one of them;
- ``POST /reporting/targets/`` (``reports.targets``): set the target of (indicator,
  organisation, year, number), creating it or replacing its terms;
- ``DELETE /reporting/targets/{id}/`` (``reports.targets``): remove it.

Writes go through ``services.targets`` (scope at the organisation, or a central body for a
target of every organisation; one audit row). Bad input answers 400 in Vietnamese."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core.models import Organisation

from . import scopes
from .models import Direction, Indicator, Target
from .services import targets as services


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.key")
    indicator_name = serializers.CharField(source="indicator.name")
    organisation = serializers.CharField(source="organisation.code", allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", allow_null=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "indicator_name",
            "organisation",
            "organisation_name",
            "year",
            "number",
            "direction",
            "low",
            "high",
            "near_percent",
            "note",
            "updated_at",
        ]
        read_only_fields = fields


class TargetInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=gettext_lazy("Indicator key"))
    organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Electronic identification code; empty: every organisation"),
    )
    year = serializers.IntegerField(min_value=0, max_value=2099, default=0)
    number = serializers.IntegerField(min_value=0, max_value=12, default=0)
    direction = serializers.ChoiceField(choices=Direction.choices)
    low = serializers.DecimalField(max_digits=24, decimal_places=6, required=False, allow_null=True)
    high = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    near_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=5
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


def reachable(request, scope):
    """Targets for every organisation, and those of the organisations where the caller holds
    ``scope`` (reports.read to read them, reports.targets to remove them)."""
    mine = policy.scope_queryset(request, scope, Target.objects.filter(organisation__isnull=False))
    return Target.objects.filter(Q(organisation__isnull=True) | Q(pk__in=mine.values("pk")))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the indicators' targets"),
        parameters=[
            OpenApiParameter("indicator", str, description="Indicator key"),
            OpenApiParameter("organisation", str, description="Electronic identification code"),
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get an indicator's target")),
    destroy=extend_schema(summary=gettext_lazy("Remove an indicator's target")),
)
@extend_schema(tags=["reporting"])
class TargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ScopePermission]
    required_scopes = {
        "list": scopes.READ,
        "retrieve": scopes.READ,
        "create": scopes.TARGETS,
        "destroy": scopes.TARGETS,
    }
    serializer_class = TargetSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        scope = scopes.TARGETS if self.action == "destroy" else scopes.READ
        qs = reachable(self.request, scope).select_related("indicator", "organisation")
        if self.action == "list":
            params = self.request.query_params
            if params.get("indicator"):
                qs = qs.filter(indicator__key=params["indicator"][:64])
            if params.get("organisation"):
                qs = qs.filter(organisation__code=params["organisation"][:64])
        return qs.order_by("indicator__key", "organisation__code", "year", "number", "pk")

    @extend_schema(
        summary=gettext_lazy("Set an indicator's target"),
        request=TargetInputSerializer,
        responses={200: TargetSerializer, 201: TargetSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = TargetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        indicator = Indicator.objects.filter(key=v["indicator"]).first()
        if indicator is None:
            raise exceptions.ValidationError({"indicator": [_("Unknown indicator.")]})
        organisation = None
        if v["organisation"]:
            organisation = Organisation.objects.filter(code=v["organisation"]).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation": [_("Unknown organisation.")]})
        existed = Target.objects.filter(
            indicator=indicator, organisation=organisation, year=v["year"], number=v["number"]
        ).exists()
        target = services.set_target(
            actor=request,
            indicator=indicator,
            organisation=organisation,
            year=v["year"],
            number=v["number"],
            direction=v["direction"],
            low=v.get("low"),
            high=v.get("high"),
            near_percent=v["near_percent"],
            note=v["note"],
        )
        # Its setter sees what they set, whether or not they read the organisation's reports.
        target = Target.objects.select_related("indicator", "organisation").get(pk=target.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(TargetSerializer(target).data, status=code)

    def check_object_permissions(self, request, obj):
        # A target of every organisation belongs to none: the scope (has_permission) is the
        # rule for reading it, and removing it needs a central body (services.check_setter).
        if obj.organisation_id is not None:
            super().check_object_permissions(request, obj)

    def perform_destroy(self, instance):
        services.remove_target(actor=self.request, target=instance)
