"""OpenAPI: the client token scheme, with each action's required scope as its requirement.

drf-spectacular asks this extension for every operation of a view that accepts client tokens.
A public action (``required_scopes[action] is None``) may also be called without credentials
(``{}``); an action with a scope lists it, so the document says which scope each call needs.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from egov.accounts.scopes import SCOPES, required_scope

SCHEME = "clientToken"


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "egov.accounts.authentication.ClientTokenAuthentication"
    name = SCHEME

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        if not hasattr(view, "required_scopes"):
            return {SCHEME: []}
        action = getattr(view, "action", None)
        needed = required_scope(view, action)
        if needed is None:
            return [{SCHEME: []}, {}]
        if needed == "missing":
            return {SCHEME: []}  # closed to everyone; the access matrix test flags it
        return {SCHEME: [needed]}

    def get_security_definition(self, auto_schema):
        prefix = settings.SPECTACULAR_SETTINGS.get("SCHEMA_PATH_PREFIX", "/api/v1")
        return {
            "type": "oauth2",
            "description": (
                "OAuth2 client credentials. Authenticate at the token endpoint with the client "
                "secret (HTTP Basic or form fields) or with a JWT signed by the client's key "
                "(client_assertion, RFC 7523), then send 'Authorization: Bearer <token>'."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{prefix}/oauth/token",
                    "scopes": dict(sorted(SCOPES.items())),
                }
            },
        }
