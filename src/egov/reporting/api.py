"""The reporting API: an organisation submits its values for a period of a regime
(``POST /reporting/submissions/``, ``reports.submit``, the same checks as every other way in)
and reads a submission back (``GET /reporting/submissions/{id}/``, ``reports.read``).

Bad values and broken blocking rules answer 400 with the reasons in Vietnamese; broken warning
rules answer 400 with ``fields.warnings`` until the request is sent again with
``confirm_warnings: true``. Nothing is written in either case."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core.models import Organisation

from . import scopes
from .models import DataValue, ReportingRegime, Submission
from .services import submissions as services


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.key")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")

    class Meta:
        model = DataValue
        fields = ["indicator", "name", "unit", "disaggregation", "value", "comment"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    regime = serializers.CharField(source="regime.code")
    regime_name = serializers.CharField(source="regime.name")
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    values = ValueSerializer(many=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "regime",
            "regime_name",
            "organisation",
            "organisation_name",
            "year",
            "number",
            "submitted_at",
            "warnings",
            "values",
        ]
        read_only_fields = fields


class ValueInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(
        help_text=gettext_lazy("Indicator key, e.g. svc_dossiers_received")
    )
    disaggregation = serializers.CharField(required=False, allow_blank=True, default="")
    value = serializers.DecimalField(max_digits=24, decimal_places=6)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, trim_whitespace=True
    )


class SubmissionInputSerializer(serializers.Serializer):
    regime = serializers.CharField(help_text=gettext_lazy("Reporting regime code"))
    organisation = serializers.CharField(help_text=gettext_lazy("Electronic identification code"))
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    number = serializers.IntegerField(
        min_value=1, default=1, help_text="Month 1-12, quarter 1-4, half 1-2; 1 for a year"
    )
    values = ValueInputSerializer(many=True, allow_empty=False, max_length=10000)
    confirm_warnings = serializers.BooleanField(default=False)


@extend_schema_view(
    retrieve=extend_schema(summary=gettext_lazy("Get a report submission with its values")),
)
class SubmissionViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ScopePermission]
    required_scopes = {"create": scopes.SUBMIT, "retrieve": scopes.READ}
    serializer_class = SubmissionSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = policy.scope_queryset(self.request, scopes.READ, Submission.objects.all())
        return qs.select_related("regime", "organisation").prefetch_related(
            Prefetch("values", queryset=DataValue.objects.select_related("indicator"))
        )

    @extend_schema(
        summary=gettext_lazy("Submit an organisation's values for a reporting period"),
        request=SubmissionInputSerializer,
        responses={201: SubmissionSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = SubmissionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        regime = ReportingRegime.objects.filter(code=v["regime"]).first()
        organisation = Organisation.objects.filter(code=v["organisation"]).first()
        if regime is None or organisation is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [gettext_lazy("Unknown regime or organisation.")]}
            )
        entries = [
            services.Entry(x["indicator"], x["value"], x["disaggregation"], x["comment"])
            for x in v["values"]
        ]
        try:
            submission = services.submit(
                actor=request,
                regime=regime,
                organisation=organisation,
                year=v["year"],
                number=v["number"],
                entries=entries,
                confirm=v["confirm_warnings"],
            )
        except services.WarningsToConfirm as exc:
            raise exceptions.ValidationError({"warnings": exc.messages}) from exc
        submission = self.get_queryset().get(pk=submission.pk)
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)
