"""Bearer tokens of API clients for DRF: ``Authorization: Bearer <access token>``.

The token comes from the token endpoint (``POST /api/v1/oauth/token``: OAuth2 client credentials
with a client secret, or with a JWT signed by the client's key, RFC 7523). A valid token makes
``request.user`` and ``request.auth`` a :class:`ClientPrincipal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from egov.accounts import ratelimit
from egov.accounts.services import clients as client_services
from egov.accounts.services import refusals


@dataclass
class ClientPrincipal:
    """An API client acting through one access token."""

    client: object
    token: object
    scopes: frozenset[str]
    organisations: tuple[int, ...]
    _paths: dict[int, str] = field(default_factory=dict, repr=False)

    is_client = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    @property
    def audit_ref(self) -> str:
        return f"client:{self.client.pk}"

    def get_username(self) -> str:
        return self.client.client_id

    def grants(self):
        from egov.accounts.policy import Grant

        return [
            Grant(scope, org_id, path, self.client.include_subtree)
            for scope in sorted(self.scopes)
            for org_id, path in self._paths.items()
        ]

    def __str__(self) -> str:
        return self.audit_ref


def principal_for(token) -> ClientPrincipal:
    client = token.client
    orgs = list(client.organisations.values_list("pk", "path"))
    # The client's current scopes bound the token's: taking a scope away works at once.
    scopes = frozenset(token.scopes) & frozenset(client.scopes)
    return ClientPrincipal(client, token, scopes, tuple(pk for pk, _ in orgs), dict(orgs))


class ClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        try:
            token = client_services.check_token(
                header[1].decode("latin-1"), ratelimit.client_ip(request)
            )
        except client_services.TokenError as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc
        except refusals.TooManyRefusals as exc:
            throttled = exceptions.Throttled(
                detail=_(
                    "Too many refused access tokens from your address. "
                    "Try again in %(seconds)d seconds."
                )
                % {"seconds": exc.retry_after}
            )
            throttled.wait = exc.retry_after  # the Retry-After header
            raise throttled from exc
        principal = principal_for(token)
        return principal, principal

    def authenticate_header(self, request):
        return 'Bearer realm="egov"'
