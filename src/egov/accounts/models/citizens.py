"""Citizens who log in through OpenID Connect, the businesses they act for, and their sessions.

Data minimisation: only what the platform needs is kept (the provider's subject and issuer, the
12-digit personal ID number, name, date of birth, phone and e-mail when given). No token is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

personal_id_validator = RegexValidator(
    r"^\d{12}$", _("A personal ID number has 12 digits."), code="personal_id"
)
# Mã số thuế: 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$", _("A tax code has 10 digits (or 10-3 for a branch)."), code="tax_code"
)


class Citizen(models.Model):
    """A person known through the identity provider (VNeID in production)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="citizen"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    personal_id_number = models.CharField(
        max_length=12, blank=True, validators=[personal_id_validator]
    )
    full_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="citizen_issuer_subject"),
        ]
        indexes = [models.Index(fields=["personal_id_number"], name="citizen_pid_idx")]

    def __str__(self) -> str:
        return f"citizen {self.pk}"  # never the name or ID number (they end up in logs)


class BusinessRepresentation(models.Model):
    """A citizen may act for a business identified by its tax code (mã số thuế)."""

    class Source(models.TextChoices):
        PROVIDER = "provider", _("asserted by the identity provider")
        ADMIN = "admin", _("recorded by an administrator")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="business_representations"
    )
    tax_code = models.CharField(max_length=14, validators=[tax_code_validator])
    business_name = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=16, choices=Source, default=Source.PROVIDER)
    valid_from = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "tax_code"], name="business_representation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_code} (citizen {self.citizen_id})"


class CitizenSession(models.Model):
    """Which Django session belongs to which provider login: what back-channel logout ends."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    provider_sid = models.CharField(max_length=255, blank=True, db_index=True)
    assurance_level = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of citizen {self.citizen_id}"


class OidcReplayGuard(models.Model):
    """Single-use values already seen (ID-token nonces, logout-token ids), kept as SHA-256."""

    class Kind(models.TextChoices):
        NONCE = "nonce", "nonce"
        LOGOUT_JTI = "logout_jti", "logout token id"

    kind = models.CharField(max_length=16, choices=Kind)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="oidc_replay_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"
