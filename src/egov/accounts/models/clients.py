"""API clients: systems of ministries and provinces, their keys and their access tokens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=255)
    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    organisations = models.ManyToManyField(
        "core.Organisation", verbose_name=_("acts for"), related_name="+"
    )
    # Acting for an organisation includes the units below it.
    include_subtree = models.BooleanField(_("also for the units below"), default=False)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class ClientKey(models.Model):
    """A shared secret (stored hashed) or a public key the client signs its assertions with."""

    class Kind(models.TextChoices):
        SECRET = "secret", _("Client secret")
        PUBLIC_KEY = "public_key", _("Public key (signed JWT)")

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    public_key_pem = models.TextField(_("public key (PEM)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")

    def __str__(self) -> str:
        return self.kid


class AccessToken(models.Model):
    """An opaque bearer token issued by the token endpoint; only its SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    key = models.ForeignKey(ClientKey, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"token #{self.pk} of {self.client_id}"
