"""Reform plans in the API: public sums per ministry against 30/9; the ministry writes them."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov.consultation import scopes, services
from egov.consultation.api.serializers import RegulationCostsSerializer
from egov.consultation.api.views import ConsultationPermission, _organisation, conflict
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import ReformAction, ReformItem, ReformPlan, Regulation


class ReformItemSerializer(serializers.Serializer):
    regulation = serializers.IntegerField(source="regulation_id")
    place = serializers.CharField(source="regulation.place")
    document = serializers.CharField(source="regulation.document.number")
    action = serializers.ChoiceField(choices=ReformAction.choices)
    cost_before = serializers.IntegerField()
    cost_after = serializers.SerializerMethodField()
    saving = serializers.IntegerField()

    def get_cost_after(self, item) -> int:
        return 0 if item.action == ReformAction.CUT else item.cost


class ReformPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="plan.pk")
    organisation = serializers.CharField(source="plan.organisation.name")
    organisation_code = serializers.CharField(source="plan.organisation.code")
    year = serializers.IntegerField(source="plan.year")
    title = serializers.CharField(source="plan.title")
    submitted_at = serializers.DateTimeField(source="plan.submitted_at", allow_null=True)
    deadline = serializers.DateField(help_text="30/9 of the plan's year")
    on_time = serializers.BooleanField(allow_null=True, help_text="Null until submitted")
    days_left = serializers.IntegerField(allow_null=True, help_text="Null once submitted")
    regulations = serializers.IntegerField()
    cost_before = serializers.IntegerField(help_text="VND per year")
    cost_after = serializers.IntegerField(help_text="VND per year")
    saving = serializers.IntegerField(help_text="VND per year")


class ReformPlanDetailSerializer(ReformPlanSerializer):
    items = ReformItemSerializer(source="plan.items.all", many=True)


class NewPlanSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="Code of the ministry or province")
    year = serializers.IntegerField()
    title = serializers.CharField(max_length=500)


class NewItemSerializer(serializers.Serializer):
    regulation = serializers.IntegerField()
    action = serializers.ChoiceField(choices=ReformAction.choices)
    costs = RegulationCostsSerializer(required=False, help_text="After the reform (simplify)")


def _plans():
    items = ReformItem.objects.select_related("regulation__document").order_by("pk")
    return ReformPlan.objects.select_related("organisation").prefetch_related(
        Prefetch("items", items)
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List reform plans with their sums against 30/9"),
        parameters=[OpenApiParameter("year", int, description=gettext_lazy("The plans' year"))],
        responses={200: ReformPlanSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Get a reform plan and its regulations"),
        responses={200: ReformPlanDetailSerializer},
    ),
)
class ReformPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ConsultationPermission]
    required_scopes = {
        "list": None,
        "retrieve": None,
        "create": scopes.MANAGE,
        "add_item": scopes.MANAGE,
        "submit": scopes.MANAGE,
    }
    lookup_value_regex = "[0-9]{1,12}"
    serializer_class = ReformPlanSerializer
    state_conflicts = True

    def get_queryset(self):
        qs = _plans().order_by("-year", "organisation__name", "pk")
        year = self.request.query_params.get("year", "")
        if self.action == "list" and year:
            if not year.isdigit():
                raise exceptions.ValidationError(
                    {"year": [_("Give a year between 2000 and 2100.")]}
                )
            qs = qs.filter(year=int(year))
        return qs

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = [services.totals(plan) for plan in page]
        return self.get_paginated_response(ReformPlanSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ReformPlanDetailSerializer(services.totals(self.get_object())).data)

    def _detail(self, plan, code=status.HTTP_200_OK):
        return Response(
            ReformPlanDetailSerializer(services.totals(_plans().get(pk=plan.pk))).data, status=code
        )

    @extend_schema(
        summary=gettext_lazy("Start a reform plan"),
        request=NewPlanSerializer,
        responses={201: ReformPlanDetailSerializer},
    )
    def create(self, request):
        body = NewPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        plan = services.create_plan(
            request,
            _organisation(v["organisation"], "organisation"),
            year=v["year"],
            title=v["title"],
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Add a regulation to cut or simplify to a plan"),
        request=NewItemSerializer,
        responses={201: ReformPlanDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        plan = self.get_object()
        body = NewItemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        regulation = Regulation.objects.filter(pk=v["regulation"]).first()
        if regulation is None:
            raise exceptions.ValidationError({"regulation": [_("No regulation has this id.")]})
        try:
            services.add_item(
                request,
                plan,
                regulation,
                action=v["action"],
                costs_after=dict(v.get("costs") or {}),
            )
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Submit a reform plan"),
        request=None,
        responses={200: ReformPlanDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = self.get_object()
        try:
            services.submit_plan(request, plan)
        except IllegalTransition as exc:
            raise conflict(exc) from exc
        return self._detail(plan)
