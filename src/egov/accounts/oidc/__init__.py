"""Citizen login through OpenID Connect (VNeID in production; the bundled provider in development).

- ``flow``: the relying party's authorization code flow with PKCE, state and nonce;
- ``tokens``: ID-token and logout-token checks; ``provider``: discovery and JWKS cache;
- ``decorators.require_assurance(level)``: for views that need a citizen at a given level;
- ``views``/``urls``: login, callback, logout (RP-initiated and back-channel), the citizen's pages.
"""
