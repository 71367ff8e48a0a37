"""Citizens who log in through OpenID Connect, the businesses they act for, and their sessions.

Data minimisation: only what the platform needs is kept (the provider's subject and issuer, the
12-digit personal ID number, name, date of birth, place of residence, phone and e-mail when
given). No token is stored.
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
    # The place of residence the provider vouches for: the OpenID ``address`` claim's
    # formatted, street_address, locality (commune) and region (province), as given.
    address = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
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
        verbose_name = _("business representation")
        verbose_name_plural = _("business representations")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "tax_code"], name="business_representation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_code} (citizen {self.citizen_id})"


class Representation(models.Model):
    """Đại diện, ủy quyền: a citizen recorded by an official as entitled to act for another
    person or a business (a legal representative, or under a power of attorney), for a period.
    What the identity provider asserts about businesses is ``BusinessRepresentation``; this is
    what an office verified on paper."""

    class Kind(models.TextChoices):
        REPRESENTATIVE = "representative", _("legal representative (đại diện)")
        AUTHORISED = "authorised", _("authorised (ủy quyền)")

    class PrincipalKind(models.TextChoices):
        CITIZEN = "citizen", _("a person")
        BUSINESS = "business", _("a business")

    citizen = models.ForeignKey(
        Citizen,
        verbose_name=_("citizen acting"),
        on_delete=models.CASCADE,
        related_name="representations",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    principal_kind = models.CharField(_("acting for"), max_length=8, choices=PrincipalKind)
    # The personal ID number (12 digits) or the tax code of the one represented.
    principal_id_number = models.CharField(_("their ID number or tax code"), max_length=14)
    principal_name = models.CharField(_("their name"), max_length=255)
    # The paper it rests on: "Giấy ủy quyền số 12/2026, UBND xã A chứng thực".
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # The office that verified it (where the policy places the row) and who recorded it.
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("recorded at"), on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("representation")
        verbose_name_plural = _("representations")
        indexes = [
            models.Index(
                fields=["citizen", "principal_kind", "principal_id_number"],
                name="representation_lookup",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="representation_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (citizen {self.citizen_id})"  # no names, no numbers


class CitizenSession(models.Model):
    """Which Django session belongs to which provider login: what back-channel logout ends."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    provider_sid = models.CharField(max_length=255, blank=True, db_index=True)
    assurance_level = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("citizen session")
        verbose_name_plural = _("citizen sessions")

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
        verbose_name = _("used single-use value")
        verbose_name_plural = _("used single-use values")
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="oidc_replay_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"
