"""``POST /reporting/data-value-sets/`` (``reports.submit``): DHIS2's dataValueSets JSON in,
DHIS2's importSummary out (services.dhis2). 200 when imported (or checked, ``dry_run``), 409
with the conflicts when anything is refused (nothing is written then), as DHIS2 answers a
conflict (an identifier scheme egov cannot follow, ``uid``, is one); 400 for a body that is not
a dataValueSet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from egov.accounts.scopes import ScopePermission
from egov.core import inputs

from . import scopes
from .services import dhis2

_TRUE = ("1", "true")


class DataValueSetViewSet(viewsets.ViewSet):
    permission_classes = [ScopePermission]
    required_scopes = {"create": scopes.SUBMIT}
    parser_classes = [inputs.JSONParser]
    http_method_names = ["post", "options"]

    @extend_schema(
        summary=gettext_lazy("Import DHIS2 dataValueSets JSON as reports"),
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("dry_run", bool, required=False),
            OpenApiParameter("confirm_warnings", bool, required=False),
            *[
                OpenApiParameter(
                    name,
                    str,
                    required=False,
                    enum=["code", "name"],
                    description=gettext_lazy(
                        "“code” (the default here) or “name”; the body's own scheme wins"
                    ),
                )
                for name in (
                    "idScheme",
                    "dataElementIdScheme",
                    "orgUnitIdScheme",
                    "dataSetIdScheme",
                    "categoryOptionComboIdScheme",
                )
            ],
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="importSummary"),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="importSummary, conflicts"),
        },
    )
    def create(self, request):
        query = request.query_params
        summary = dhis2.import_data_value_set(
            actor=request,
            document=request.data,
            query=query,
            dry_run=query.get("dry_run", query.get("dryRun", "")).lower() in _TRUE,
            confirm=query.get("confirm_warnings", "").lower() in _TRUE,
        )
        return Response(
            summary.as_dict(),
            status=status.HTTP_409_CONFLICT if summary.refused else status.HTTP_200_OK,
        )
