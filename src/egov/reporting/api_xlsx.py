"""The .xlsx way in, through the API: the template of a report
(``GET /reporting/xlsx/?regime=&organisation=&year=&number=``) and its upload
(``POST /reporting/xlsx/``, multipart: the same four fields, ``file`` and ``confirm_warnings``),
both ``reports.submit``. The same checks as the pages (services.xlsx): a wrong cell answers 400
with ``fields.cells`` (["'Báo cáo'!G7: ...", ...]) and writes nothing; a file that is not an
.xlsx workbook answers 400 with its reason."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, serializers, status, viewsets
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission
from egov.core import downloads
from egov.core.inputs import MultiPartParser
from egov.core.models import Organisation

from . import scopes
from .api import SubmissionSerializer
from .models import ReportingRegime
from .services import forms, submissions, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportSerializer(serializers.Serializer):
    regime = serializers.CharField(help_text=gettext_lazy("Reporting regime code"))
    organisation = serializers.CharField(help_text=gettext_lazy("Electronic identification code"))
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    number = serializers.IntegerField(min_value=1, max_value=12, default=1)


class ReportUploadSerializer(ReportSerializer):
    file = serializers.FileField(help_text="The filled-in template (.xlsx)")
    confirm_warnings = serializers.BooleanField(default=False)


def _form(request, data) -> forms.Form:
    v = data.validated_data
    regime = ReportingRegime.objects.filter(code=v["regime"]).first()
    organisation = Organisation.objects.filter(code=v["organisation"]).first()
    if regime is None or organisation is None:
        raise exceptions.ValidationError(
            {"non_field_errors": [gettext_lazy("Unknown regime or organisation.")]}
        )
    submissions.check_period(
        actor=request,
        regime=regime,
        organisation=organisation,
        year=v["year"],
        number=v["number"],
    )
    return forms.build(regime, organisation, v["year"], v["number"])


class ReportXlsxViewSet(viewsets.GenericViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.SUBMIT, "create": scopes.SUBMIT}
    serializer_class = ReportUploadSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, parsers.FormParser]
    pagination_class = None  # the template is one file, not a page of rows

    @extend_schema(
        summary=gettext_lazy("Download the .xlsx template of a report"),
        parameters=[ReportSerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def list(self, request, *args, **kwargs):
        data = ReportSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        form = _form(request, data)
        response = HttpResponse(xlsx.template(form), content_type=XLSX)
        response["Content-Disposition"] = downloads.content_disposition(
            f"{form.regime.code}-{form.organisation.code}-{form.year}-{form.number}.xlsx"
        )
        return response

    @extend_schema(
        summary=gettext_lazy("Upload a filled-in .xlsx template of a report"),
        request={"multipart/form-data": ReportUploadSerializer},
        responses={201: SubmissionSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = ReportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = _form(request, data)
        content = data.validated_data["file"].read(xlsx.MAX_UPLOAD + 1)
        try:
            submission = xlsx.upload(
                actor=request,
                form=form,
                content=content,
                confirm=data.validated_data["confirm_warnings"],
            )
        except submissions.WarningsToConfirm as exc:
            raise exceptions.ValidationError({"warnings": exc.messages}) from exc
        except xlsx.CellErrors as exc:
            raise exceptions.ValidationError({"cells": exc.messages}) from exc
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)
