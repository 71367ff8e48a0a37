"""The status sync's API.

National side, in the national portal's format (docs/sync.md): ``POST sync/session`` (the login
call) and ``POST sync/service`` (DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo); their answers
are the portal's ``{"error_code", "message", ...}`` bodies, errors with a 4xx status. The public
lookup (``GET sync/lookup/``) and the live figures (``GET sync/figures/``).

Provincial side: the failed syncs of the official's agencies (``GET sync/failures/``) and sending
one again (``POST sync/failures/{id}/retry/``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from egov.accounts import policy
from egov.accounts.scopes import ScopePermission
from egov.core.models import OutboxMessage
from egov.dossiers.models import Dossier
from egov.sync import scopes, wire
from egov.sync.services import ingest, national, outbound

Answer = inline_serializer(
    "SyncAnswer",
    {"error_code": serializers.CharField(), "message": serializers.CharField()},
)


def _not_national() -> Response | None:
    """On an instance without the national role these endpoints answer 404, in the national
    format (``error_code``, ``message``) as the rest of the wire does."""
    if settings.EGOV_SYNC_ROLE == "national":
        return None
    return Response(
        wire.answer(wire.NOT_FOUND, _("This instance does not take the national sync.")),
        status=status.HTTP_404_NOT_FOUND,
    )


class SyncRateThrottle(AnonRateThrottle):
    """Per address, as the anonymous rate, but the sync's own (``EGOV_SYNC_RATE``)."""

    scope = "sync"


class _WireView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SyncRateThrottle]
    required_scopes = {"post": None}

    def _refused(self, refusal: ingest.Refusal) -> Response:
        return Response(refusal.body, status=refusal.status)


class SessionView(_WireView):
    @extend_schema(
        summary=gettext_lazy("Open a sync session (national side)"),
        request=inline_serializer(
            "SyncLogin",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={200: Answer, 401: Answer, 403: Answer, 404: Answer},
    )
    def post(self, request):
        if (refused := _not_national()) is not None:
            return refused
        body = request.data if isinstance(request.data, dict) else {}
        try:
            answer = ingest.open_session(
                str(body.get("username", "")),
                str(body.get("password", "")),
                request.headers.get("dstcode", ""),
            )
        except ingest.Refusal as refusal:
            return self._refused(refusal)
        return Response(answer)


class ServiceView(_WireView):
    @extend_schema(
        summary=gettext_lazy("Sync dossiers and progress records (national side)"),
        request=OpenApiTypes.OBJECT,
        responses={200: Answer, 400: Answer, 401: Answer, 403: Answer, 404: Answer, 409: Answer},
    )
    def post(self, request):
        if (refused := _not_national()) is not None:
            return refused
        body = request.data if isinstance(request.data, dict) else {}
        try:
            province = ingest.province_of(
                str(body.get("session", "")),
                str(body.get("madonvi", "")),
                request.headers.get("dstcode", ""),
                request.META.get("REMOTE_ADDR", "unknown"),
            )
            return Response(ingest.serve(province, body))
        except ingest.Refusal as refusal:
            return self._refused(refusal)


class NationalDossierSerializer(serializers.Serializer):
    code = serializers.CharField()
    province = serializers.CharField(source="province.name")
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    handling_unit = serializers.CharField()
    page_url = serializers.CharField()


class LookupView(APIView):
    permission_classes = [AllowAny]
    required_scopes = {"get": None}

    @extend_schema(
        summary=gettext_lazy("Look up a dossier nationally by code and ID number"),
        parameters=[
            OpenApiParameter("code", str, required=True),
            OpenApiParameter("id_number", str, required=True),
        ],
        responses={200: NationalDossierSerializer, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        if (refused := _not_national()) is not None:
            return refused
        found = national.find(request.GET.get("code", ""), request.GET.get("id_number", ""))
        if found is None:
            return Response(
                {"detail": gettext_lazy("No dossier with this code and ID number.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(NationalDossierSerializer(found).data)


class FiguresView(APIView):
    permission_classes = [AllowAny]
    required_scopes = {"get": None}

    @extend_schema(
        summary=gettext_lazy("Live figures per province, sector or procedure"),
        parameters=[OpenApiParameter("by", str, enum=list(national.GROUPS))],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: Answer},
    )
    def get(self, request):
        if (refused := _not_national()) is not None:
            return refused
        by = request.GET.get("by", "province")
        if by not in national.GROUPS:
            return Response(
                {"detail": gettext_lazy("by must be province, sector or procedure.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"by": by, "rows": national.figures(by)})


class FailureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    dossier = serializers.CharField(source="dossier_code")
    key = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()


def visible_failures(request, limit: int = 100) -> list[OutboxMessage]:
    """The newest failed syncs whose dossier the caller may read (two queries)."""
    rows = list(outbound.failed()[: limit * 2])
    ids = {row.payload.get("dossier") for row in rows}
    allowed = dict(
        policy.scope_queryset(request, scopes.READ, Dossier.objects.filter(pk__in=ids)).values_list(
            "pk", "code"
        )
    )
    out = []
    for row in rows:
        if row.payload.get("dossier") in allowed:
            row.dossier_code = allowed[row.payload["dossier"]]
            out.append(row)
    return out[:limit]


def failure_for(request, pk, scope) -> tuple[OutboxMessage, Dossier]:
    row = OutboxMessage.objects.filter(pk=pk, kind=outbound.KIND).first()
    dossier = Dossier.objects.filter(pk=(row.payload.get("dossier") if row else None)).first()
    if row is None or dossier is None or not policy.can(request, scope, dossier):
        raise Http404
    row.dossier_code = dossier.code
    return row, dossier


class FailureViewSet(viewsets.ViewSet):
    permission_classes = [ScopePermission]
    lookup_value_regex = r"[0-9]+"
    required_scopes = {"list": scopes.READ, "retry": scopes.RETRY}

    @extend_schema(
        summary=gettext_lazy("List syncs to the national portal that failed"),
        responses=FailureSerializer(many=True),
    )
    def list(self, request):
        return Response(FailureSerializer(visible_failures(request), many=True).data)

    @extend_schema(
        summary=gettext_lazy("Send a failed sync again"),
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=None,
        responses={202: FailureSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        row, dossier = failure_for(request, pk, scopes.RETRY)
        try:
            again = outbound.retry(
                row, actor=request.user if request.user.is_authenticated else request.auth
            )
        except ValidationError as error:
            return Response({"detail": error.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        again.dossier_code = dossier.code
        return Response(FailureSerializer(again).data, status=status.HTTP_202_ACCEPTED)
