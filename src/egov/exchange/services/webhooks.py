"""Webhook secrets: set or rotate a mailbox's secret (shown once), read it to sign a push.

The secret is stored encrypted (Fernet, key derived from ``EGOV_FIELD_KEY``, default the Django
secret key), not hashed: the hub needs it back to compute the MAC of every push
(:mod:`egov.exchange.webhook`). It is never logged nor written to the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from egov.core.models import Organisation
from egov.core.services import audit
from egov.exchange.models import Mailbox

PREFIX = "whsec_"


class SecretError(RuntimeError):
    """The stored secret cannot be decrypted (EGOV_FIELD_KEY or the secret key changed)."""


def _fernet() -> Fernet:
    material = getattr(settings, "EGOV_FIELD_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"egov.exchange.webhook:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def set_secret(organisation: Organisation, *, actor, remove: bool = False) -> str:
    """A new secret for the organisation's mailbox (the previous one stops working at once),
    returned once; ``remove``: none (pushes go unsigned). Audited."""
    secret = "" if remove else PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        mailbox, created = Mailbox.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        had = bool(mailbox.webhook_secret)
        mailbox.webhook_secret = _fernet().encrypt(secret.encode()).decode() if secret else ""
        mailbox.save(update_fields=["webhook_secret"])
        audit.record(
            actor=actor,
            action="exchange.webhook_secret_removed" if remove else "exchange.webhook_secret_set",
            obj=mailbox,
            organisation=organisation,
            summary={"rotated": had and not remove, "had_secret": had, "created": created},
        )
    return secret


class UrlError(ValueError):
    """Not a URL the hub may push to."""


def set_url(organisation: Organisation, url: str, *, actor) -> Mailbox:
    """Where the hub pushes the organisation's mail ("" : pull only). Audited; an address
    other than http(s) is refused, and plain http only on loopback (tests, a local relay)."""
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise UrlError(f"not an http(s) URL: {url}") from None
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise UrlError(f"pushes leave the hub over https only: {url}")
    with transaction.atomic():
        mailbox, created = Mailbox.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        previous = mailbox.webhook_url
        mailbox.webhook_url = url
        mailbox.save(update_fields=["webhook_url"])
        audit.record(
            actor=actor,
            action="exchange.webhook_url_set" if url else "exchange.webhook_url_removed",
            obj=mailbox,
            organisation=organisation,
            summary={"url": url, "previous": previous, "created": created},
        )
    return mailbox


def secret_for(organisation_id: int) -> str:
    """The organisation's webhook secret in clear, "" when none is set."""
    stored = (
        Mailbox.objects.filter(organisation_id=organisation_id)
        .values_list("webhook_secret", flat=True)
        .first()
    )
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretError(
            "the webhook secret cannot be decrypted with the current key: set it again"
        ) from exc
