"""Why a citizen login was refused: a short code for the audit log, a clear message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_configured": _("Citizen login is not configured on this site."),
    "provider_unreachable": _("The identity provider cannot be reached. Please try again later."),
    "state_missing": _("The login response is incomplete (no state). Please log in again."),
    "state_unknown": _(
        "This login response was already used or has expired (state not recognised). "
        "Please log in again."
    ),
    "expired_request": _("The login took too long and has expired. Please log in again."),
    "provider_error": _("The identity provider did not complete the login."),
    "access_denied": _("The login was cancelled at the identity provider."),
    "token_exchange": _("The identity provider refused to complete the login."),
    "pkce_verifier_missing": _(
        "The login could not be completed: the proof of this login request (PKCE code verifier) "
        "was missing, so the identity provider refused it. Please log in again."
    ),
    "malformed": _("The identity token is malformed."),
    "signature": _(
        "The identity token's signature is not valid: it was not issued by the identity "
        "provider, or it was altered."
    ),
    "algorithm": _("The identity token is signed with an algorithm that is not accepted."),
    "issuer": _("The identity token was issued by another provider than the one configured."),
    "issuer_missing": _(
        "The login response does not say which identity provider sent it (no iss), although "
        "this provider always does. Please log in again."
    ),
    "audience": _("The identity token was issued for another application (wrong audience)."),
    "expired": _("The identity token has expired. Please log in again."),
    "missing_claim": _("The identity token lacks a required claim."),
    "nonce_mismatch": _("The identity token does not belong to this login request (nonce)."),
    "nonce_replayed": _(
        "The identity token was already used for a login (replayed nonce). Please log in again."
    ),
    "userinfo": _("The identity provider's user information could not be read or does not match."),
    "acr_insufficient": _(
        "This action needs assurance level 2, but the identity provider only confirmed level 1."
    ),
    "subject_mismatch": _(
        "The additional login was made by another person than the one logged in."
    ),
    "rate_limited": _(
        "Too many login attempts from your address. Please wait a minute and try again."
    ),
    "logout_token": _("The logout token is not valid."),
    "logout_replayed": _("The logout token was already used."),
}


class OidcError(Exception):
    """A refused login or logout. ``code`` goes to the audit log; ``message`` to the person."""

    def __init__(self, code: str, *, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        self.detail = detail[:200]

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, MESSAGES["provider_error"]))
