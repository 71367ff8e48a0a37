"""Officials: a profile on the login identity, the second factor and the lockout state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Official(models.Model):
    """A civil servant (cán bộ, công chức): logs in with a password and a second factor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="officials",
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The full name (the username only for an official nobody has named yet)."""
        return self.user.get_full_name() or self.user.get_username()

    @property
    def name_and_title(self) -> str:
        """How pickers and lists show an official: "Nguyễn Thị Lan Anh, Công chức ..."."""
        return f"{self.name}, {self.title}" if self.title else self.name


class TotpDevice(models.Model):
    """The TOTP secret (RFC 6238) of one user. Encrypted at rest (egov.accounts.totp)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    encrypted_secret = models.TextField(editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step accepted: a code is never accepted twice.
    last_step = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"TOTP #{self.pk}"


class LoginLockout(models.Model):
    """Failed password or code attempts of one user; locked until ``locked_until``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_lockout"
    )
    failed_attempts = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login lockout")
        verbose_name_plural = _("login lockouts")

    def __str__(self) -> str:
        return f"lockout user:{self.user_id}"
