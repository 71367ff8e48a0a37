"""The public dossier lookup: a dossier's status and dated history, given its code and the
applicant's ID number (or tax code); anonymous and rate limited per address."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from egov.accounts import ratelimit
from egov.accounts.scopes import ScopePermission
from egov.core.api_base import ErrorSerializer
from egov.dossiers.services import lookup as lookup_service

from .serializers import LookupSerializer

LOOKUP_ANSWER = inline_serializer(
    "DossierLookup",
    {
        "code": serializers.CharField(),
        "status": serializers.IntegerField(),
        "status_label": serializers.CharField(),
        "due_at": serializers.DateTimeField(allow_null=True),
        "history": inline_serializer(
            "DossierLookupEvent",
            {
                "at": serializers.DateTimeField(),
                "status": serializers.IntegerField(),
                "status_label": serializers.CharField(),
            },
            many=True,
        ),
    },
)
# The lookup is the viewset's ``list`` action but answers one dossier: not an array.
extend_schema_serializer(many=False)(type(LOOKUP_ANSWER))


class LookupViewSet(viewsets.ViewSet):
    """Public lookup: the status and dated history of a dossier, given its code and the
    applicant's ID number (or tax code). Nothing else; rate limited per address."""

    permission_classes = [ScopePermission]
    required_scopes = {"list": None}
    authentication_classes: list = []
    # Its own per-address limit (EGOV_LOOKUP_RATE, 30/min by default) is stricter than DRF's
    # anonymous throttle (EGOV_ANON_RATE, 600/min), which would add a second counter: a list of
    # every request time of the window, read and rewritten in the cache on each lookup.
    throttle_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, required=True),
            OpenApiParameter("id_number", str, required=True),
        ],
        responses={
            200: LOOKUP_ANSWER,
            404: OpenApiResponse(ErrorSerializer, description="No such code and ID number."),
        },
    )
    def list(self, request):
        serializer = LookupSerializer(data=request.query_params)
        valid = serializer.is_valid()
        query = serializer.validated_data if valid else {}
        # An invalid query counts too, and the rate limit answers first (429 before 400).
        try:
            found = lookup_service.public_lookup(
                ratelimit.client_ip(request), query.get("code", ""), query.get("id_number", "")
            )
        except lookup_service.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after) from exc
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        if found is None:
            raise exceptions.NotFound()
        return Response(found)
