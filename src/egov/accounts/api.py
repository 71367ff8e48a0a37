"""API of officials and API clients: the OAuth2 token endpoint, who-am-I, officials."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from egov.accounts import policy, ratelimit, scopes
from egov.accounts.models import Official, RoleAssignment
from egov.accounts.scopes import ScopePermission, granted_scopes
from egov.accounts.services import clients as client_services
from egov.core import inputs


class TokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRequestSerializer(serializers.Serializer):
    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    scope = serializers.CharField(required=False, help_text="Space-separated scopes.")
    client_id = serializers.CharField(required=False)
    client_secret = serializers.CharField(required=False)
    client_assertion_type = serializers.CharField(required=False)
    client_assertion = serializers.CharField(required=False)


TOKEN_RESPONSE = inline_serializer(
    "TokenResponse",
    {
        "access_token": serializers.CharField(),
        "token_type": serializers.CharField(),
        "expires_in": serializers.IntegerField(),
        "scope": serializers.CharField(),
    },
)
OAUTH_ERROR = inline_serializer(
    "OAuthError",
    {"error": serializers.CharField(), "error_description": serializers.CharField()},
)


def _oauth_error(code: str, message: str, status: int = 400) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="egov"'} if status == 401 else {}
    return Response(
        {"error": code, "error_description": message},
        status=status,
        headers={**headers, "Cache-Control": "no-store"},
    )


class TokenView(APIView):
    """OAuth2 token endpoint (RFC 6749 §4.4, client authentication by RFC 7523 assertions)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]
    parser_classes = [inputs.FormParser, inputs.JSONParser]

    def handle_exception(self, exc):
        # RFC 6749 §5.2: the token endpoint refuses in its own shape, a body it cannot read too.
        if isinstance(exc, ParseError):
            return _oauth_error("invalid_request", str(exc.detail))
        return super().handle_exception(exc)

    @extend_schema(
        summary=gettext_lazy("Get an access token (OAuth2 client credentials)"),
        request={"application/x-www-form-urlencoded": TokenRequestSerializer},
        responses={200: TOKEN_RESPONSE, 400: OAUTH_ERROR, 401: OAUTH_ERROR},
        auth=[],
        tags=["oauth"],
    )
    def post(self, request):
        data = request.data
        if data.get("grant_type") != "client_credentials":
            return _oauth_error(
                "unsupported_grant_type", _("Only the client_credentials grant is supported.")
            )
        try:
            client, key = self._authenticate_client(request, data)
            issued = client_services.issue_token(client, key, data.get("scope"))
        except client_services.ClientAuthError as exc:
            client_services.record_refusal(ratelimit.client_ip(request), exc)
            status = 401 if exc.code == "invalid_client" else 400
            return _oauth_error(exc.code, exc.message, status)
        return Response(
            {
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": " ".join(issued.scopes),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _authenticate_client(self, request, data):
        if data.get("client_assertion"):
            if data.get("client_assertion_type") != client_services.ASSERTION_TYPE:
                raise client_services.ClientAuthError(
                    _("client_assertion_type must be %(type)s.")
                    % {"type": client_services.ASSERTION_TYPE}
                )
            audience = [request.build_absolute_uri(request.path)]
            audience += settings.EGOV_TOKEN_AUDIENCES
            return client_services.authenticate_assertion(data["client_assertion"], audience)
        client_id, secret = data.get("client_id"), data.get("client_secret")
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            user, sep, password = decoded.partition(":")
            if sep:
                client_id, secret = unquote(user), unquote(password)
        if not client_id or not secret:
            raise client_services.ClientAuthError(
                _("Authenticate the client: client_id and client_secret, or a client_assertion.")
            )
        return client_services.authenticate_secret(client_id, secret)


class MeView(APIView):
    """Who is calling, with which scopes, for which organisations."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Who am I"),
        responses=inline_serializer(
            "Me",
            {
                "kind": serializers.ChoiceField(choices=["anonymous", "user", "client"]),
                "id": serializers.CharField(allow_null=True),
                "scopes": serializers.ListField(child=serializers.CharField()),
                "organisations": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
        tags=["accounts"],
    )
    def get(self, request):
        actor = policy.actor_of(request)
        if getattr(actor, "is_client", False):
            kind, ident, orgs = "client", actor.client.client_id, sorted(actor.organisations)
        elif getattr(actor, "is_authenticated", False):
            kind, ident = "user", str(actor.pk)
            orgs = sorted({g.organisation_id for g in policy.grants(actor)})
        else:
            kind, ident, orgs = "anonymous", None, []
        return Response(
            {
                "kind": kind,
                "id": ident,
                "scopes": sorted(granted_scopes(request)),
                "organisations": orgs,
            }
        )


class RoleAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoleAssignment
        fields = ["role", "organisation", "include_subtree", "valid_from", "valid_to"]


class OfficialSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = Official
        fields = ["id", "username", "full_name", "title", "organisation", "roles"]
        read_only_fields = fields


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List officials")),
    retrieve=extend_schema(summary=gettext_lazy("Get an official")),
)
class OfficialViewSet(viewsets.ReadOnlyModelViewSet):
    """Officials of the organisations the caller administers (scope ``accounts.read``)."""

    serializer_class = OfficialSerializer
    permission_classes = [ScopePermission]
    required_scopes = {"list": scopes.READ, "retrieve": scopes.READ}

    def get_queryset(self):
        queryset = (
            Official.objects.select_related("user", "organisation")
            .prefetch_related("role_assignments")
            .order_by("pk")
        )
        return policy.scope_queryset(self.request, scopes.READ, queryset)
